package jp.sekisho.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CidrTest {

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByAddress(Cidr.parseAddress(s));
    }

    @Test
    void ipv4AndIpv6Containment() throws Exception {
        assertTrue(Cidr.parse("10.0.0.0/8").contains(ip("10.255.1.2")));
        assertFalse(Cidr.parse("10.0.0.0/8").contains(ip("11.0.0.1")));
        assertTrue(Cidr.parse("127.0.0.1").contains(ip("127.0.0.1")));
        assertFalse(Cidr.parse("127.0.0.1/32").contains(ip("127.0.0.2")));
        assertTrue(Cidr.parse("2001:db8::/32").contains(ip("2001:db8:1::5")));
        assertFalse(Cidr.parse("2001:db8::/32").contains(ip("2001:db9::1")));
        assertTrue(Cidr.parse("::1/128").contains(ip("::1")));
        assertFalse(Cidr.parse("::1/128").contains(ip("127.0.0.1")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("8.8.8.8")));
        assertTrue(Cidr.parse("192.168.0.0/16").contains(InetAddress.getByName("::ffff:192.168.3.4")));
    }

    @Test
    void refusesNonCidrsWithoutDns() {
        for (String bad : List.of(
                "10.0.0.300/8", "10.0.0.0/33", "localhost", "example.com/24", "10.0.0/8", "::1/129", "", "1.2.3.4/")) {
            assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
        }
        assertEquals(
                "has host bits set (did you mean 10.0.0.0/8?)",
                assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.1/8"))
                        .getMessage());
    }

    @Test
    void allowlistUpdateKeepsOwnCidrsAndRejectsUnknownListeners() throws Exception {
        ListenerAllowlists a = new ListenerAllowlists(Map.of("transfer", List.of(Cidr.parse("127.0.0.1/32"))));
        assertFalse(a.allows("transfer", ip("10.1.1.1")));
        a.update("transfer", List.of(Cidr.parse("10.1.0.0/16")));
        assertTrue(a.allows("transfer", ip("10.1.1.1")));
        assertTrue(a.allows("transfer", ip("127.0.0.1")));
        a.update("transfer", List.of());
        assertFalse(a.allows("transfer", ip("10.1.1.1")));
        assertThrows(IllegalArgumentException.class, () -> a.update("nope", List.of()));
    }
}

package jp.sekisho.gateway.attack;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * PROXY protocol headers: from a peer that is not a trusted load balancer every header is refused
 * (PROXY_NOT_TRUSTED); from the trusted one (127.0.0.4) a missing, malformed or LOCAL header is
 * PROXY_HEADER_INVALID and a source outside the allowlist IP_NOT_ALLOWED. Each closes the connection
 * before TLS.
 */
class ProxyHeaderAttacksTest extends AttackCategory {

    private static final String UNTRUSTED = "127.0.0.1";
    private static final String TRUSTED = "127.0.0.4";

    static byte[] v1(String line) {
        return line.getBytes(StandardCharsets.US_ASCII);
    }

    /** A v2 header: version/command byte, family/protocol byte, then the address block as given. */
    static byte[] v2(int verCmd, int famProto, byte[] addresses) {
        ByteBuffer b = ByteBuffer.allocate(16 + addresses.length);
        b.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        b.put((byte) verCmd)
                .put((byte) famProto)
                .putShort((short) addresses.length)
                .put(addresses);
        return b.array();
    }

    static byte[] ipv4(int a, int b, int c, int d, int sport) {
        return new byte[] {
            (byte) a, (byte) b, (byte) c, (byte) d, 127, 0, 0, 1, (byte) (sport >> 8), (byte) sport, 0x01, (byte) 0xbb
        };
    }

    /** 300 bytes that start as a TLS record: enough for the PROXY decoder to decide it is no header. */
    static byte[] clientHelloLike() {
        byte[] b = new byte[300];
        b[0] = 0x16;
        b[1] = 0x03;
        b[2] = 0x01;
        b[3] = 0x01;
        b[4] = 0x27;
        b[5] = 0x01;
        return b;
    }

    private HostileCase.Attack from(String ip, byte[] bytes) {
        return w -> RawHttps.plain(ip, w.port("transfer"), bytes);
    }

    /** The refusal names the header's source: the event's port is the header's, not ours. */
    private HostileCase.Attack fromNaming(String ip, byte[] bytes, int headerPort) {
        return w -> {
            Answer a = RawHttps.plain(ip, w.port("transfer"), bytes);
            return new Answer(
                    a.status(), a.headers(), a.body(), a.closed(), a.after(), a.handshakeFailed(), headerPort);
        };
    }

    @Override
    Stream<HostileCase> cases() {
        List<HostileCase> l = new ArrayList<>();
        Expected notTrusted = Expected.connectionRefused("PROXY_NOT_TRUSTED");
        Expected invalid = Expected.connectionRefused("PROXY_HEADER_INVALID");
        // an untrusted peer claims to relay someone
        l.add(c(
                "v1 TCP4 from an untrusted peer",
                from(UNTRUSTED, v1("PROXY TCP4 10.9.9.9 127.0.0.1 4444 443\r\n")),
                notTrusted));
        l.add(c("v1 TCP6 from an untrusted peer", from(UNTRUSTED, v1("PROXY TCP6 ::1 ::1 4444 443\r\n")), notTrusted));
        l.add(c("v1 UNKNOWN from an untrusted peer", from(UNTRUSTED, v1("PROXY UNKNOWN\r\n")), notTrusted));
        l.add(c(
                "v1 claiming the allowed address itself from an untrusted peer",
                from(UNTRUSTED, v1("PROXY TCP4 127.0.0.1 127.0.0.1 4444 443\r\n")),
                notTrusted));
        l.add(c(
                "v2 PROXY from an untrusted peer",
                from(UNTRUSTED, v2(0x21, 0x11, ipv4(10, 9, 9, 9, 4444))),
                notTrusted));
        l.add(c("v2 LOCAL from an untrusted peer", from(UNTRUSTED, v2(0x20, 0x00, new byte[0])), notTrusted));
        // the trusted balancer, with headers that say nothing usable
        l.add(c("trusted peer sending TLS without a header", from(TRUSTED, clientHelloLike()), invalid));
        l.add(c(
                "trusted peer sending HTTP without a header",
                from(TRUSTED, v1("GET / HTTP/1.1\r\nHost: x\r\n\r\n")),
                invalid));
        for (String[] bad : new String[][] {
            {"unknown protocol", "PROXY TCP5 10.9.9.9 127.0.0.1 4444 443\r\n"},
            {"address not an address", "PROXY TCP4 10.9.9.999 127.0.0.1 4444 443\r\n"},
            {"IPv6 address in TCP4", "PROXY TCP4 ::1 127.0.0.1 4444 443\r\n"},
            {"port 70000", "PROXY TCP4 10.9.9.9 127.0.0.1 70000 443\r\n"},
            {"negative port", "PROXY TCP4 10.9.9.9 127.0.0.1 -1 443\r\n"},
            {"missing ports", "PROXY TCP4 10.9.9.9 127.0.0.1\r\n"},
            {"LF only, then more bytes", "PROXY TCP4 10.9.9.9 127.0.0.1 4444 443\n" + "x".repeat(120)},
            {"over 107 bytes", "PROXY TCP4 10.9.9.9 127.0.0.1 4444 443 " + "x".repeat(100) + "\r\n"},
            {"UNKNOWN", "PROXY UNKNOWN\r\n"},
            {"lower case", "proxy TCP4 10.9.9.9 127.0.0.1 4444 443\r\n"},
            {"NUL inside", "PROXY TCP4 10.9.9.9\u0000 127.0.0.1 4444 443\r\n"},
            {"double spaces", "PROXY  TCP4 10.9.9.9 127.0.0.1 4444 443\r\n"}
        }) {
            l.add(c("trusted peer, v1 " + bad[0], from(TRUSTED, v1(bad[1])), invalid));
        }
        l.add(c("trusted peer, v2 LOCAL", from(TRUSTED, v2(0x20, 0x00, new byte[0])), invalid));
        l.add(c("trusted peer, v2 version 3", from(TRUSTED, v2(0x31, 0x11, ipv4(10, 9, 9, 9, 4444))), invalid));
        l.add(c("trusted peer, v2 command 0xF", from(TRUSTED, v2(0x2F, 0x11, ipv4(10, 9, 9, 9, 4444))), invalid));
        l.add(c("trusted peer, v2 UNSPEC family", from(TRUSTED, v2(0x21, 0x00, new byte[0])), invalid));
        l.add(c("trusted peer, v2 family 0x7", from(TRUSTED, v2(0x21, 0x71, ipv4(10, 9, 9, 9, 4444))), invalid));
        l.add(c(
                "trusted peer, v2 address block shorter than TCP4 needs",
                from(TRUSTED, v2(0x21, 0x11, new byte[] {10, 9, 9})),
                invalid));
        // the trusted balancer relays a client the listener does not allow
        l.add(c(
                "trusted peer, v1 relaying a disallowed client",
                fromNaming(TRUSTED, v1("PROXY TCP4 10.9.9.9 127.0.0.1 41001 443\r\n"), 41001),
                Expected.connectionRefused("IP_NOT_ALLOWED")));
        l.add(c(
                "trusted peer, v2 relaying a disallowed client",
                fromNaming(TRUSTED, v2(0x21, 0x11, ipv4(10, 9, 9, 9, 41002)), 41002),
                Expected.connectionRefused("IP_NOT_ALLOWED")));
        l.add(c(
                "trusted peer, v1 relaying a disallowed IPv6 client",
                fromNaming(TRUSTED, v1("PROXY TCP6 2001:db8::1 ::1 41003 443\r\n"), 41003),
                Expected.connectionRefused("IP_NOT_ALLOWED")));
        // no PROXY header at all: a peer outside the listener's allowlist is closed before TLS
        l.add(c(
                "connection from an address outside the allowlist",
                from("127.0.0.2", v1("GET / HTTP/1.1\r\n\r\n")),
                Expected.connectionRefused("IP_NOT_ALLOWED")));
        l.add(c(
                "TLS hello from an address outside the allowlist",
                from("127.0.0.2", clientHelloLike()),
                Expected.connectionRefused("IP_NOT_ALLOWED")));
        l.add(c(
                "PROXY header from an address outside the allowlist",
                from("127.0.0.2", v1("PROXY TCP4 127.0.0.1 127.0.0.1 4444 443\r\n")),
                Expected.connectionRefused("IP_NOT_ALLOWED")));
        return l.stream();
    }
}

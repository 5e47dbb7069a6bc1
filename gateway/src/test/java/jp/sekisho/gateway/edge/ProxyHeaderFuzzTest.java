package jp.sekisho.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.gateway.http.Metrics;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing the PROXY header path of a trusted load balancer's connection: the real
 * {@link HAProxyMessageDecoder} and {@link ProxyHeaderHandler} in an {@link EmbeddedChannel}, fed
 * arbitrary bytes and mutated v1/v2 headers. Never an uncaught exception; a refusal closes the
 * channel with exactly one CONNECTION_REFUSED event; an accepted header names an allowed client.
 */
class ProxyHeaderFuzzTest {

    private static final InetSocketAddress BALANCER = new InetSocketAddress("127.0.0.4", 50000);

    /** The audit port's simplest implementation: what the handler wrote, in order. */
    private static final class Recorded implements AuditLog {
        final List<AuditEvent> events = new ArrayList<>();

        @Override
        public void record(AuditEvent event) {
            events.add(event);
        }

        @Override
        public RecordedEvent commit(AuditEvent event) {
            events.add(event);
            return null;
        }
    }

    @Provide
    Arbitrary<byte[]> headers() {
        Arbitrary<byte[]> any = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> v1 = Arbitraries.of(
                        "PROXY TCP4 127.0.0.1 127.0.0.1 4444 443\r\n",
                        "PROXY TCP4 10.9.9.9 127.0.0.1 4444 443\r\n",
                        "PROXY TCP6 ::1 ::1 4444 443\r\n",
                        "PROXY UNKNOWN\r\n")
                .map(s -> s.getBytes(StandardCharsets.US_ASCII));
        Arbitrary<byte[]> v2 = Arbitraries.bytes()
                .array(byte[].class)
                .ofSize(12)
                .map(addr -> {
                    ByteBuffer b = ByteBuffer.allocate(28);
                    b.put(new byte[] {
                        0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C
                    });
                    b.put(addr);
                    return b.array();
                });
        Arbitrary<byte[]> valid = Arbitraries.oneOf(v1, v2);
        return Arbitraries.oneOf(any, valid, valid.flatMap(ProxyHeaderFuzzTest::mutated));
    }

    /** Up to four bytes overwritten, and the header maybe cut short. */
    private static Arbitrary<byte[]> mutated(byte[] b) {
        return Arbitraries.integers()
                .between(0, b.length - 1)
                .list()
                .ofMaxSize(4)
                .flatMap(at -> Arbitraries.bytes()
                        .list()
                        .ofSize(at.size())
                        .flatMap(vals -> Arbitraries.integers()
                                .between(1, b.length)
                                .map(len -> {
                                    byte[] m = java.util.Arrays.copyOf(b, len);
                                    for (int i = 0; i < at.size(); i++) {
                                        if (at.get(i) < m.length) {
                                            m[at.get(i)] = vals.get(i);
                                        }
                                    }
                                    return m;
                                })));
    }

    @Property
    void anyHeaderIsAcceptedOrRefusedAndAudited(@ForAll("headers") byte[] bytes) {
        Recorded audit = new Recorded();
        ListenerAllowlists allow = new ListenerAllowlists(Map.of("transfer", List.of(Cidr.parse("127.0.0.1/32"))));
        EdgeContext edge = new EdgeContext(
                Map.of(443, "transfer"),
                allow,
                Map.of("transfer", List.of(Cidr.parse("127.0.0.4/32"))),
                new ConnectionAudit(audit, new Metrics()));
        ConnectionInfo info = new ConnectionInfo("transfer", 443, BALANCER);
        EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder(), new ProxyHeaderHandler(edge, info));
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes)); // rethrows anything the pipeline did not handle
            ch.checkException();
            if (!ch.isOpen()) {
                assertEquals(1, audit.events.size(), "one refusal recorded: " + audit.events);
                AuditEvent e = audit.events.get(0);
                assertEquals(EventType.CONNECTION_REFUSED, e.type());
                assertTrue(Set.of("PROXY_HEADER_INVALID", "IP_NOT_ALLOWED").contains(e.reason()), e.reason());
            } else {
                assertEquals(List.of(), audit.events, "an open connection has no refusal");
                assertTrue(
                        info.client().equals(BALANCER)
                                || allow.allows("transfer", info.client().getAddress()),
                        "a relayed client is one the listener allows: " + info.client());
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}

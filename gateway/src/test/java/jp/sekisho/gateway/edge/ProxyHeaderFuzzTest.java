package jp.sekisho.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.store.PostgresAuditLog;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.certs.testing.Fuzz;
import jp.sekisho.gateway.http.Metrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing the PROXY header path of a trusted load balancer's connection: the real
 * {@link HAProxyMessageDecoder} and {@link ProxyHeaderHandler} in an {@link EmbeddedChannel}, writing
 * to the real audit store, fed arbitrary bytes and mutated v1/v2 headers. Never an uncaught exception;
 * a refusal closes the channel with exactly one CONNECTION_REFUSED event; an accepted header names an
 * allowed client and writes no refusal. Each try has its own listener port, so its events are its own.
 */
class ProxyHeaderFuzzTest {

    private static final InetSocketAddress BALANCER = new InetSocketAddress("127.0.0.4", 50000);
    private static final List<String> V1 = List.of(
            "PROXY TCP4 127.0.0.1 127.0.0.1 4444 443\r\n",
            "PROXY TCP4 10.9.9.9 127.0.0.1 4444 443\r\n",
            "PROXY TCP6 ::1 ::1 4444 443\r\n",
            "PROXY UNKNOWN\r\n");
    private static final byte[] V2_PREFIX = {
        0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C
    };

    @TempDir
    static Path dir;

    static ExternalPostgres pg;
    static Database db;
    static PostgresAuditLog log;
    static final AtomicInteger PORT = new AtomicInteger(10_000);

    @BeforeAll
    static void store() throws Exception {
        pg = ExternalPostgres.create();
        db = Database.open(
                StoreConfig.external(pg.url(), ExternalPostgres.APP_ROLE, null).withOwner("postgres", null));
        log = PostgresAuditLog.open(
                db, AuditSettings.defaults("fuzz", dir), AuditSigningKey.loadOrCreate(dir.resolve("k.key")));
    }

    @AfterAll
    static void close() throws Exception {
        log.close();
        db.close();
        pg.close();
    }

    /** Random bytes, a valid v1 or v2 header, or a valid one with bytes overwritten and maybe cut short. */
    static byte[] header(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> Fuzz.bytes(r, 300);
            case 1 -> valid(r);
            default -> mutated(r, valid(r));
        };
    }

    private static byte[] valid(Random r) {
        if (r.nextBoolean()) {
            return Fuzz.pick(r, V1).getBytes(StandardCharsets.US_ASCII);
        }
        byte[] addr = new byte[12];
        r.nextBytes(addr);
        return ByteBuffer.allocate(28).put(V2_PREFIX).put(addr).array();
    }

    private static byte[] mutated(Random r, byte[] b) {
        byte[] m = Arrays.copyOf(b, Fuzz.between(r, 1, b.length));
        for (int i = Fuzz.between(r, 0, 4); i > 0; i--) {
            m[r.nextInt(m.length)] = (byte) r.nextInt(256);
        }
        return m;
    }

    @Test
    void anyHeaderIsAcceptedOrRefusedAndAudited() {
        Fuzz.run("PROXY header", 300, ProxyHeaderFuzzTest::header, ProxyHeaderFuzzTest::acceptedOrRefused);
    }

    private static void acceptedOrRefused(byte[] bytes) {
        int port = PORT.incrementAndGet();
        ListenerAllowlists allow = new ListenerAllowlists(Map.of("transfer", List.of(Cidr.parse("127.0.0.1/32"))));
        EdgeContext edge = new EdgeContext(
                Map.of(port, "transfer"),
                allow,
                Map.of("transfer", List.of(Cidr.parse("127.0.0.4/32"))),
                new ConnectionAudit(log, new Metrics()),
                new ConnectionRate(1_000_000, 1_000_000));
        ConnectionInfo info = new ConnectionInfo("transfer", port, BALANCER);
        EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder(), new ProxyHeaderHandler(edge, info));
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes)); // rethrows anything the pipeline did not handle
            ch.checkException();
            List<String> events = recorded(port);
            if (!ch.isOpen()) {
                assertEquals(1, events.size(), "one refusal recorded: " + events);
                String[] e = events.get(0).split(" ");
                assertEquals("CONNECTION_REFUSED", e[0]);
                assertTrue(Set.of("PROXY_HEADER_INVALID", "IP_NOT_ALLOWED").contains(e[1]), e[1]);
            } else {
                assertEquals(List.of(), events, "an open connection has no refusal");
                assertTrue(
                        info.client().equals(BALANCER)
                                || allow.allows("transfer", info.client().getAddress()),
                        "a relayed client is one the listener allows: " + info.client());
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /** "TYPE REASON" of the events stored for this try's listener port. */
    private static List<String> recorded(int port) {
        log.flush(Duration.ofSeconds(10));
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT event_type, reason FROM audit_event WHERE listener_port = ? ORDER BY seq")) {
            s.setInt(1, port);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + " " + rs.getString(2));
                }
            }
            return out;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

package jp.sekisho.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.cli.AuditCommand;
import jp.sekisho.audit.verify.ExportFileVerifier;
import jp.sekisho.audit.verify.VerifyResult;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.CuttingProxy;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sekisho audit verify/export --gateway} against a real gateway: a response cut mid-stream
 * (a TCP relay that closes after 256 KiB) is TRUNCATED, exit 4, never UNREADABLE or tampering; an
 * export taken while events are being written is one consistent snapshot and verifies.
 */
class AuditExportStreamTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static Credential auditor;
    static GatewayFixture fx;
    static Path pub;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        auditor = pki.client("auditor");
        fx = GatewayFixture.start(
                dir.resolve("gw"),
                pki,
                "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                "  - { subject: \""
                        + auditor.certificate().getSubjectX500Principal().getName() + "\", roles: [auditor] }\n");
        for (int i = 0; i < 4000; i++) {
            fx.store.log().record(event(i)); // about 3 MB of JSON Lines
        }
        fx.store.postgresLog().flush(Duration.ofSeconds(60));
        pub = fx.dir.resolve("data/audit-signing.pub.pem");
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static AuditEvent event(long i) {
        return AuditEvent.of(EventType.REQUEST_ALLOWED, Outcome.ALLOW)
                .requestId("export-stream-" + i)
                .detailJson("{\"padding\":\"" + "x".repeat(400) + "\"}")
                .build();
    }

    record Run(int code, String out, String err) {}

    static Run audit(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new AuditCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static String[] through(String gatewayUrl, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of(
                "--gateway", gatewayUrl, "--identity", auditor.pkcs12File().toString()));
        return all.toArray(new String[0]);
    }

    @Test
    void aStreamCutMidwayIsTruncatedNotTampered() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(fx.gateway.port("admin"), 256 * 1024)) {
            String url = "https://127.0.0.1:" + proxy.port();
            Run verify = audit(through(url, "verify", "--key", pub.toString()));
            assertEquals(AuditCommand.TRUNCATED, verify.code(), verify.toString());
            assertTrue(verify.out().startsWith("TRUNCATED: STREAM_TRUNCATED: 途中で切断されました"), verify.out());
            assertTrue(verify.out().contains("run it again"), verify.out());
            assertFalse(verify.out().contains("UNREADABLE") || verify.out().contains("FAILED"), verify.out());

            Path out = dir.resolve("cut.jsonl");
            Run export = audit(through(url, "export", "--out", out.toString()));
            assertEquals(AuditCommand.TRUNCATED, export.code(), export.toString());
            assertTrue(export.err().contains("STREAM_TRUNCATED") && export.err().contains("cut after "), export.err());
            assertFalse(Files.exists(out), "a cut export is not left as if it were whole");
        }
        Run direct = audit(through(fx.url("admin", ""), "verify", "--key", pub.toString()));
        assertEquals(0, direct.code(), direct.toString());
    }

    @Test
    void anExportDuringConcurrentWritesIsOneSnapshotAndVerifies() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong written = new AtomicLong();
        Thread writer = new Thread(() -> {
            while (!stop.get()) {
                fx.store.log().commit(event(100_000 + written.get()));
                written.incrementAndGet();
            }
        });
        writer.start();
        try {
            Run verify = audit(through(fx.url("admin", ""), "verify", "--key", pub.toString()));
            assertEquals(0, verify.code(), verify.toString());
            assertTrue(verify.out().startsWith("OK: "), verify.out());

            Path out = dir.resolve("during-writes.jsonl");
            Run export = audit(through(fx.url("admin", ""), "export", "--out", out.toString()));
            assertEquals(0, export.code(), export.toString());
            assertInstanceOf(VerifyResult.Ok.class, ExportFileVerifier.verify(out, AuditSigningKey.readPublicKey(pub)));
            List<String> lines = Files.readAllLines(out);
            long events = lines.stream()
                    .filter(l -> l.startsWith("{\"record\":\"event\""))
                    .count();
            assertTrue(
                    lines.get(lines.size() - 1).startsWith("{\"record\":\"end\",\"events\":" + events + ","),
                    lines.get(lines.size() - 1));
            assertTrue(written.get() > 0, "events were written while the exports ran");
        } finally {
            stop.set(true);
            writer.join();
        }
    }
}

package jp.sekisho.gateway.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.Gateway;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.config.GatewayConfigLoader;

/**
 * A gateway as the CLI runs it: a TestPki, a config file written in the documented format, the
 * real audit store (embedded PostgreSQL under data-dir) and {@link Gateway#start}.
 */
public final class GatewayFixture implements GatewayNode, AutoCloseable {

    public final Path dir;
    public final TestPki pki;
    public final AuditStore store;
    public final Gateway gateway;
    public final long startMillis;
    public static final AuditPrincipal TEST_READER = new AuditPrincipal("CN=gateway-tests", "0", "0");

    private GatewayFixture(Path dir, TestPki pki, AuditStore store, Gateway gateway, long startMillis) {
        this.dir = dir;
        this.pki = pki;
        this.store = store;
        this.gateway = gateway;
        this.startMillis = startMillis;
    }

    /**
     * Top-level YAML for one node of an installation of several: the store on {@code storeUrl}, and
     * what the nodes share under {@code shared} (the policy seal key, the spool folder).
     */
    public static String installation(String storeUrl, Path shared) {
        return installation(storeUrl, shared.resolve("policy-seal.key"), shared.resolve("spool"));
    }

    /** As above, naming the seal key file and the spool folder. */
    public static String installation(String storeUrl, Path sealKey, Path spool) {
        return "store:\n  url: " + storeUrl + "\n  user: " + jp.sekisho.audit.support.ExternalPostgres.APP_ROLE
                + "\n  owner-user: postgres\n"
                + "approvals:\n  seal-key: " + sealKey + "\n"
                + "spool:\n  dir: " + spool + "\n";
    }

    /** Writes DIR/gateway.yml with the given listeners and principals YAML, then starts store and gateway. */
    public static GatewayFixture start(Path dir, TestPki pki, String listenersYaml, String principalsYaml)
            throws Exception {
        return start(dir, pki, "gwtest", listenersYaml, principalsYaml, "");
    }

    /**
     * As above, with a node id and extra top-level YAML (e.g. a {@code store:} section pointing
     * several gateways at one PostgreSQL server).
     */
    public static GatewayFixture start(
            Path dir, TestPki pki, String nodeId, String listenersYaml, String principalsYaml, String extraYaml)
            throws Exception {
        return start(dir, pki, nodeId, listenersYaml, principalsYaml, extraYaml, "");
    }

    /** As above, with extra lines for the {@code tls:} section (e.g. {@code "  provider: jdk\n"}). */
    public static GatewayFixture start(
            Path dir,
            TestPki pki,
            String nodeId,
            String listenersYaml,
            String principalsYaml,
            String extraYaml,
            String tlsYaml)
            throws Exception {
        Path cfg = writeConfig(dir, pki, nodeId, listenersYaml, principalsYaml, extraYaml, tlsYaml);
        long t0 = System.nanoTime();
        GatewayConfig config = GatewayConfigLoader.load(cfg);
        for (int attempt = 1; ; attempt++) {
            try {
                return start(dir, pki, cfg, config, t0);
            } catch (RuntimeException e) {
                // port 0: the gateway chooses a free port, then binds it seconds later; on a machine
                // running other tests, another socket can take it in between. Choose again.
                if (attempt == 3 || !boundElsewhere(e)) {
                    throw e;
                }
            }
        }
    }

    private static boolean boundElsewhere(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    private static GatewayFixture start(Path dir, TestPki pki, Path cfg, GatewayConfig config, long t0) {
        java.util.concurrent.atomic.AtomicReference<AuditStore> opened =
                new java.util.concurrent.atomic.AtomicReference<>();
        Gateway gw;
        try {
            gw = Gateway.start(config, () -> {
                try {
                    AuditStore s = AuditStore.open(AuditConfig.fromGatewayYaml(cfg));
                    opened.set(s);
                    return s;
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        } catch (RuntimeException e) {
            if (opened.get() != null) {
                opened.get().close();
            }
            throw e;
        }
        AuditStore store = opened.get();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new GatewayFixture(dir, pki, store, gw, ms);
    }

    /** Writes DIR/gateway.yml in the documented format and returns its path. */
    public static Path writeConfig(
            Path dir, TestPki pki, String nodeId, String listenersYaml, String principalsYaml, String extraYaml)
            throws java.io.IOException {
        return writeConfig(dir, pki, nodeId, listenersYaml, principalsYaml, extraYaml, "");
    }

    public static Path writeConfig(
            Path dir,
            TestPki pki,
            String nodeId,
            String listenersYaml,
            String principalsYaml,
            String extraYaml,
            String tlsYaml)
            throws java.io.IOException {
        Files.createDirectories(dir);
        Path cfg = dir.resolve("gateway.yml");
        Files.writeString(
                cfg,
                "node-id: " + nodeId + "\n"
                        + "data-dir: data\n"
                        + "tls:\n"
                        + "  certificate: " + pki.gatewayFile("pem") + "\n"
                        + "  key: " + pki.gatewayFile("key") + "\n"
                        + "  trust-anchors: [" + pki.caFile() + "]\n"
                        + "  crls: [" + pki.crlFile() + "]\n"
                        + tlsYaml
                        + "listeners:\n" + listenersYaml
                        + "principals:\n" + principalsYaml
                        + extraYaml,
                StandardCharsets.UTF_8);
        return cfg;
    }

    @Override
    public String url(String listener, String path) {
        return "https://127.0.0.1:" + gateway.port(listener) + path;
    }

    /** Waits (up to 10 s) for an audit event of that type matching the predicate; null when none came. */
    public RecordedEvent awaitEvent(EventType type, Predicate<RecordedEvent> match) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            store.postgresLog().flush(Duration.ofSeconds(5));
            List<RecordedEvent> events =
                    store.reader().search(AuditQuery.all().types(Set.of(type)).limit(10_000), TEST_READER);
            for (RecordedEvent e : events) {
                if (match.test(e)) {
                    return e;
                }
            }
            Thread.sleep(200);
        }
        return null;
    }

    @Override
    public void close() {
        try {
            gateway.close();
        } finally {
            store.close();
        }
    }
}

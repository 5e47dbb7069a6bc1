package jp.sekisho.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One gateway node of a cluster: its own folder, data-dir, ports and CRL copy; the database, the
 * spool folder and the policy seal key shared with the other nodes; PROXY v2 trusted from the
 * balancer's address only, and a health port for its checks.
 */
final class ClusterNode implements AutoCloseable {

    final String id;
    final Path dir;
    final Path config;
    final Path crl;
    final Haproxy.Node ports;
    private GatewayJvm jvm;
    private int starts;

    private ClusterNode(String id, Path dir, Path config, Path crl, Haproxy.Node ports) {
        this.id = id;
        this.dir = dir;
        this.config = config;
        this.crl = crl;
        this.ports = ports;
    }

    /** Shared: the store URL, the spool folder and the seal key file. */
    record Shared(String storeUrl, String storeUser, Path spool, Path sealKey) {}

    static ClusterNode create(FaultWorld w, Path root, String id, Shared shared) throws IOException {
        Path dir = Files.createDirectories(root.resolve(id));
        Path crl = dir.resolve("crl.pem");
        Files.copy(w.pki.crlFile(), crl, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Haproxy.Node ports = new Haproxy.Node(id, FaultWorld.freePort(), FaultWorld.freePort(), FaultWorld.freePort());
        String trusted = "proxy-protocol: { trusted: [" + Haproxy.SOURCE + "/32] }";
        String extra = "approvals:\n  seal-key: " + shared.sealKey() + "\n"
                + "store:\n  url: " + shared.storeUrl() + "\n  user: " + shared.storeUser()
                + "\n  password: \"\"\n  owner-user: postgres\n"
                + "health:\n  listen: 127.0.0.1:" + ports.health() + "\n  allow: [" + Haproxy.SOURCE + "/32]\n"
                + "spool:\n  dir: " + shared.spool() + "\n";
        Path cfg = w.writeConfig(dir, ports.transfer(), ports.admin(), extra, crl);
        String yaml = Files.readString(cfg, StandardCharsets.UTF_8)
                .replace("node-id: faults\n", "node-id: " + id + "\n")
                .replace("allow: [10.255.255.254/32] }", "allow: [10.255.255.254/32], " + trusted + " }")
                .replace("admin: true }", "admin: true, " + trusted + " }");
        Files.writeString(cfg, yaml, StandardCharsets.UTF_8);
        return new ClusterNode(id, dir, cfg, crl, ports);
    }

    GatewayJvm start() throws Exception {
        starts++;
        jvm = GatewayJvm.start(config, dir.resolve("gateway-" + starts + ".log"));
        return jvm;
    }

    /** A start that must fail: the node's output once it ended (within 90 s). */
    String startFails() throws Exception {
        starts++;
        ChildJvm c = ChildJvm.start(
                id,
                dir.resolve("gateway-" + starts + ".log"),
                jp.sekisho.gateway.GatewayCommand.class.getName(),
                java.util.List.of("--config", config.toString()));
        Integer code = c.awaitExit(java.time.Duration.ofSeconds(90));
        if (code == null) {
            c.kill9();
            throw new AssertionError(id + " started although it should have refused:\n" + c.tail());
        }
        return "exit " + code + "\n" + c.output();
    }

    /**
     * Bytes its transfer port has received on the connections open now, as the kernel counts them
     * ({@code ss -tin}): live, where HAProxy's counters move only when a connection ends.
     */
    long bytesReceived() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ss", "-Htin", "state", "established", "( sport = :" + ports.transfer() + " )")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("bytes_received:(\\d+)").matcher(out);
        long sum = 0;
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    void kill9() throws InterruptedException {
        jvm.kill9();
    }

    boolean alive() {
        return jvm != null && jvm.jvm.alive();
    }

    Path data() {
        return dir.resolve("data");
    }

    Path publicKey() {
        return data().resolve("audit-signing.pub.pem");
    }

    String adminUrl() {
        return "https://127.0.0.1:" + ports.admin();
    }

    String log() {
        return jvm == null ? "" : jvm.jvm.tail();
    }

    @Override
    public void close() throws InterruptedException {
        if (jvm != null) {
            jvm.close();
        }
    }
}

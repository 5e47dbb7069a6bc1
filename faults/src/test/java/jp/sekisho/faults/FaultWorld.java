package jp.sekisho.faults;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.client.Sekisho;

/**
 * What every fault scenario shares, made once: the PKI, and a stopped gateway data folder (embedded
 * store with the approval recorded and approved by two secretariat members, the route applied)
 * that each scenario copies instead of paying initdb and the approval again.
 */
final class FaultWorld {

    static final String ROUTE = "faults";
    static final String REF = "障害注入第17号";

    final Path root;
    final TestPki pki;
    final Path template;
    /** The contractor's decryption key. */
    final Path recipientKey;

    private FaultWorld(Path root, TestPki pki, Path template, Path recipientKey) {
        this.root = root;
        this.pki = pki;
        this.template = template;
        this.recipientKey = recipientKey;
    }

    static FaultWorld create(Path root) throws Exception {
        FaultWorld w = withoutTemplate(root);
        Path cfg = w.writeConfig(w.template, freePort(), freePort(), "", w.pki.crlFile());
        try (GatewayJvm gw = GatewayJvm.start(cfg, w.template.resolve("gateway.log"))) {
            w.approveAndRoute(Ports.of(cfg));
        }
        if (new PgCluster(w.template.resolve("data/pg")).running()) {
            throw new IllegalStateException("the template's embedded PostgreSQL still runs after the gateway stopped");
        }
        return w;
    }

    /** The PKI and routes.yml only, for tests that run their own gateways (the template folder is not made). */
    static FaultWorld withoutTemplate(Path root) throws Exception {
        TestPki pki = TestPki.create(root.resolve("certs"));
        for (String n : List.of("secretariat", "secretariat2", "operator", "auditor", "city-sender", "contractor")) {
            pki.client(n);
        }
        Path key = pki.recipient("contractor-enc").keyFile();
        FaultWorld w = new FaultWorld(root, pki, root.resolve("template"), key);
        Files.writeString(
                root.resolve("routes.yml"),
                "routes:\n"
                        + "  - id: " + ROUTE + "\n"
                        + "    listener: transfer\n"
                        + "    approval: " + REF + "\n"
                        + "    senders:   [{ subject: \"CN=city-sender,O=Sekisho\", allow: [127.0.0.1/32] }]\n"
                        + "    receivers: [{ subject: \"CN=contractor,O=Sekisho\", allow: [127.0.0.1/32] }]\n"
                        + "    recipients: [certs/contractor-enc.pem]\n"
                        + "    max-payload: 2GiB\n",
                StandardCharsets.UTF_8);
        return w;
    }

    /** The approval (created, decided, confirmed by a second member) and the route, with the real commands. */
    void approveAndRoute(Ports ports) {
        String admin = "https://127.0.0.1:" + ports.admin();
        ok(
                "secretariat",
                admin,
                "approvals",
                "create",
                "--ref",
                REF,
                "--title",
                "障害注入試験 / fault suite",
                "--legal-basis",
                "条例第10条第1項第2号",
                "--department",
                "総務部",
                "--contractor",
                "Contractor K.K.",
                "--items",
                "name",
                "--max-records",
                "1000",
                "--valid-from",
                "2020-01-01",
                "--valid-until",
                "2099-12-31",
                "--delete-after-delivery");
        ok("secretariat", admin, "approvals", "decide", "--ref", REF, "--decision", "approve", "--reason", "承認");
        ok("secretariat2", admin, "approvals", "decide", "--ref", REF, "--confirm", "--reason", "確認");
        ok("operator", admin, "routes", "apply", root.resolve("routes.yml").toString());
    }

    private void ok(String who, String admin, String... args) {
        Cli r = cli(who, admin, args);
        if (r.code() != 0) {
            throw new IllegalStateException(String.join(" ", args) + ": " + r);
        }
    }

    /** One in-process run of the sekisho command line as WHO against the admin listener. */
    Cli cli(String who, String admin, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--gateway", admin, "--identity", identity(who).toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Sekisho.run(new PrintWriter(out, true), new PrintWriter(err, true), a.toArray(String[]::new));
        return new Cli(code, out.toString(), err.toString());
    }

    record Cli(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    Path identity(String who) {
        return pki.dir().resolve(who + ".p12");
    }

    /** {@code send} of one file on this world's route, as the city's sender, in 8 MiB chunks; then {@code more}. */
    List<String> sendArgs(String gateway, Path file, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "send",
                "--gateway",
                gateway,
                "--route",
                ROUTE,
                "--identity",
                identity("city-sender").toString(),
                "--file",
                file.toString(),
                "--records",
                "1",
                "--chunk-size",
                "8MiB",
                // uncompressed: the fault points are placed by envelope size, as large as the file
                "--no-compress"));
        a.addAll(List.of(more));
        return a;
    }

    /** {@code receive --once} of what waits on this world's route, as the contractor, into {@code out}. */
    List<String> receiveArgs(String gateway, Path out) {
        return List.of(
                "receive",
                "--gateway",
                gateway,
                "--route",
                ROUTE,
                "--identity",
                identity("contractor").toString(),
                "--out",
                out.toString(),
                "--key",
                recipientKey.toString(),
                "--trust",
                pki.caFile().toString(),
                "--once");
    }

    /** DIR/gateway.yml in the documented format: fixed ports (a restarted gateway is where clients left it). */
    Path writeConfig(Path dir, int transferPort, int adminPort, String extraYaml, Path crl) throws IOException {
        Files.createDirectories(dir);
        Path cfg = dir.resolve("gateway.yml");
        Files.writeString(
                cfg,
                "node-id: faults\n"
                        + "data-dir: data\n"
                        + "tls:\n"
                        + "  certificate: " + pki.gatewayFile("pem") + "\n"
                        + "  key: " + pki.gatewayFile("key") + "\n"
                        + "  trust-anchors: [" + pki.caFile() + "]\n"
                        + "  crls: [" + crl + "]\n"
                        + "listeners:\n"
                        + "  transfer: { bind: 127.0.0.1, port: " + transferPort + ", allow: [10.255.255.254/32] }\n"
                        + "  admin:    { bind: 127.0.0.1, port: " + adminPort
                        + ", allow: [127.0.0.1/32], admin: true }\n"
                        + "principals:\n"
                        + "  - { subject: \"CN=secretariat,O=Sekisho\",  roles: [secretariat] }\n"
                        + "  - { subject: \"CN=secretariat2,O=Sekisho\", roles: [secretariat] }\n"
                        + "  - { subject: \"CN=operator,O=Sekisho\",     roles: [operator] }\n"
                        + "  - { subject: \"CN=auditor,O=Sekisho\",      roles: [auditor] }\n"
                        + "  - { subject: \"CN=city-sender,O=Sekisho\",  roles: [sender] }\n"
                        + "  - { subject: \"CN=contractor,O=Sekisho\",   roles: [receiver] }\n"
                        + "audit:\n"
                        + "  checkpoint-every: 20\n"
                        + extraYaml,
                StandardCharsets.UTF_8);
        return cfg;
    }

    /** The listener ports written in a config. */
    record Ports(int transfer, int admin) {
        static Ports of(Path cfg) throws IOException {
            String y = Files.readString(cfg, StandardCharsets.UTF_8);
            return new Ports(port(y, "transfer:"), port(y, "admin:"));
        }

        private static int port(String yaml, String listener) {
            String line = yaml.lines()
                    .filter(l -> l.trim().startsWith(listener))
                    .findFirst()
                    .orElseThrow();
            String after = line.substring(line.indexOf("port: ") + 6);
            return Integer.parseInt(after.substring(0, after.indexOf(',')).trim());
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

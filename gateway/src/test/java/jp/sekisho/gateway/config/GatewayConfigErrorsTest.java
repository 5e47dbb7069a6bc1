package jp.sekisho.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.cli.CliErrors;
import jp.sekisho.gateway.GatewayCommand;
import jp.sekisho.gateway.tls.TlsMaterial;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Each bad configuration stops start-up with exactly one line naming the file, the key and the problem. */
class GatewayConfigErrorsTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static Credential alice;

    @BeforeAll
    static void pki() {
        pki = TestPki.create(dir.resolve("pki"));
        alice = pki.client("alice");
    }

    static String yaml(String key, String listeners, String principals) {
        return "node-id: gw1\n"
                + "tls:\n"
                + "  certificate: pki/gateway.pem\n"
                + "  key: " + key + "\n"
                + "  trust-anchors: [pki/ca.pem]\n"
                + "  crls: [pki/crl.pem]\n"
                + "listeners:\n" + listeners
                + "principals:\n" + principals;
    }

    static final String LISTENERS = "  transfer: { bind: 127.0.0.1, port: 8443, allow: [127.0.0.1/32, \"::1/128\"] }\n"
            + "  admin: { bind: 127.0.0.1, port: 9443, allow: [127.0.0.1/32], admin: true }\n";
    static final String PRINCIPALS = "  - { subject: \"CN=secretariat,O=Kurume City\", roles: [secretariat] }\n";

    static Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    static String error(Path p) {
        return assertThrows(ConfigException.class, () -> TlsMaterial.load(GatewayConfigLoader.load(p)))
                .getMessage();
    }

    @Test
    void validConfigLoads() throws Exception {
        Path p = write("ok.yml", yaml("pki/gateway.key", LISTENERS, PRINCIPALS));
        GatewayConfig c = GatewayConfigLoader.load(p);
        TlsMaterial.load(c);
        assertEquals("gw1", c.nodeId());
        assertEquals(dir.resolve("data"), c.dataDir());
        assertEquals(8443, c.listeners().get("transfer").port());
        assertEquals(true, c.listeners().get("admin").admin());
    }

    @Test
    void documentedExampleParses() {
        GatewayConfig c = GatewayConfigLoader.load(Path.of("../docs/gateway.example.yml"));
        assertEquals("gw1", c.nodeId());
        assertEquals(
                java.util.List.of("transfer", "admin"),
                c.listenerList().stream().map(GatewayConfig.Listener::name).toList());
        assertEquals(3, c.principals().size());
    }

    @Test
    void tlsProviderDefaultsToAutoAndIsChecked() throws Exception {
        assertEquals(
                GatewayConfig.TlsProvider.AUTO,
                GatewayConfigLoader.load(write("auto.yml", yaml("pki/gateway.key", LISTENERS, PRINCIPALS)))
                        .tls()
                        .provider());
        Path jdk = write(
                "jdk.yml",
                yaml("pki/gateway.key", LISTENERS, PRINCIPALS)
                        .replace("  crls: [pki/crl.pem]\n", "  crls: [pki/crl.pem]\n  provider: jdk\n"));
        assertEquals(
                GatewayConfig.TlsProvider.JDK,
                GatewayConfigLoader.load(jdk).tls().provider());
        Path bad = write(
                "provider.yml",
                yaml("pki/gateway.key", LISTENERS, PRINCIPALS)
                        .replace("  crls: [pki/crl.pem]\n", "  crls: [pki/crl.pem]\n  provider: gnutls\n"));
        assertEquals(bad + ": tls.provider: must be auto, openssl or jdk, got 'gnutls'", error(bad));
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("nope.yml");
        assertEquals(p + ": no such file", error(p));
    }

    @Test
    void badCidr() throws Exception {
        Path p = write(
                "cidr.yml",
                yaml(
                        "pki/gateway.key",
                        "  admin: { bind: 127.0.0.1, port: 9443, allow: [127.0.0.1/32, 10.0.0.300/8], admin: true }\n",
                        PRINCIPALS));
        assertEquals(p + ": listeners.admin.allow[1]: '10.0.0.300/8' is not a CIDR", error(p));
    }

    @Test
    void cidrWithHostBits() throws Exception {
        Path p = write(
                "hostbits.yml",
                yaml(
                        "pki/gateway.key",
                        "  admin: { bind: 127.0.0.1, port: 9443, allow: [10.1.2.3/8], admin: true }\n",
                        PRINCIPALS));
        assertEquals(
                p + ": listeners.admin.allow[0]: '10.1.2.3/8' has host bits set (did you mean 10.0.0.0/8?)", error(p));
    }

    @Test
    void unknownListenerKey() throws Exception {
        Path p = write(
                "key.yml",
                yaml(
                        "pki/gateway.key",
                        "  transfer: { bind: 127.0.0.1, port: 8443, alow: [127.0.0.1/32] }\n",
                        PRINCIPALS));
        assertEquals(
                p
                        + ": listeners.transfer.alow: unknown key (expected one of admin, allow, bind, closed-network, kind, port,"
                        + " proxy-protocol)",
                error(p));
    }

    @Test
    void edgeSectionDefaultsAndItsMistakesNameTheKey() throws Exception {
        GatewayConfig c = GatewayConfigLoader.load(write(
                "edge.yml",
                yaml("pki/gateway.key", LISTENERS, PRINCIPALS)
                        + "edge: { refusal-window: 30s, connections-per-second: 50 }\n"));
        assertEquals(
                new EdgeLimits(java.time.Duration.ofSeconds(30), 50, 2000),
                EdgeLimits.from(c.raw().get("edge"), c.source()));
        assertEquals(EdgeLimits.DEFAULTS, EdgeLimits.from(null, c.source()));
        Path window =
                write("window.yml", yaml("pki/gateway.key", LISTENERS, PRINCIPALS) + "edge: { refusal-window: 0s }\n");
        assertEquals(window + ": edge.refusal-window: must be 1s to 3600s, got '0s'", error(window));
        Path key = write("edgekey.yml", yaml("pki/gateway.key", LISTENERS, PRINCIPALS) + "edge: { burst: 3 }\n");
        assertEquals(
                key + ": edge.burst: unknown key (expected one of connection-burst, connections-per-second,"
                        + " refusal-window)",
                error(key));
    }

    @Test
    void spoolReserveDefaultsAndItsMistakesNameTheKey() throws Exception {
        GatewayConfig c = GatewayConfigLoader.load(
                write("spool.yml", yaml("pki/gateway.key", LISTENERS, PRINCIPALS) + "spool: { reserve: 1GiB }\n"));
        assertEquals(
                1L << 30, SpoolLimits.from(c.raw().get("spool"), c.source()).reserveOf(100L << 30));
        // the default: 5 % of a small disk, at most 256 MiB on a large one
        assertEquals(5L << 20, SpoolLimits.DEFAULTS.reserveOf(100L << 20));
        assertEquals(256L << 20, SpoolLimits.DEFAULTS.reserveOf(1L << 40));
        Path bad = write("spoolbad.yml", yaml("pki/gateway.key", LISTENERS, PRINCIPALS) + "spool: { reserve: lots }\n");
        assertEquals(
                bad + ": spool.reserve: must be a size such as 256MiB or 1GB (0 for none), got 'lots'", error(bad));
        Path key = write("spoolkey.yml", yaml("pki/gateway.key", LISTENERS, PRINCIPALS) + "spool: { size: 3 }\n");
        assertEquals(key + ": spool.size: unknown key (expected one of dir, reserve)", error(key));
        // spool.dir: relative to the configuration file's folder, data-dir/spool when absent
        GatewayConfig d = GatewayConfigLoader.load(write(
                "spooldir.yml", yaml("pki/gateway.key", LISTENERS, PRINCIPALS) + "spool: { dir: ../shared/spool }\n"));
        assertEquals(
                d.source().toAbsolutePath().getParent().getParent().resolve("shared/spool"),
                SpoolLimits.from(d.raw().get("spool"), d.source()).dirIn(d.dataDir()));
        assertEquals(
                d.dataDir().resolve("spool"), SpoolLimits.from(null, d.source()).dirIn(d.dataDir()));
        Path empty = write("spooldirbad.yml", yaml("pki/gateway.key", LISTENERS, PRINCIPALS) + "spool: { dir: 3 }\n");
        assertEquals(empty + ": spool.dir: must be a folder path, got '3'", error(empty));
    }

    @Test
    void relayClientCertificateDefaultsToTheTlsOneAndItsMistakesNameTheKey() throws Exception {
        GatewayConfig plain =
                GatewayConfigLoader.load(write("relay0.yml", yaml("pki/gateway.key", LISTENERS, PRINCIPALS)));
        RelayClientConfig d = RelayClientConfig.from(plain.raw().get("relay"), plain.source(), plain.tls());
        assertEquals(plain.tls().certificate(), d.certificate());
        assertEquals(plain.tls().key(), d.key());
        GatewayConfig c = GatewayConfigLoader.load(write(
                "relay1.yml",
                yaml("pki/gateway.key", LISTENERS, PRINCIPALS)
                        + "relay: { client-certificate: tls/relay.pem, client-key: tls/relay.key }\n"));
        RelayClientConfig r = RelayClientConfig.from(c.raw().get("relay"), c.source(), c.tls());
        assertEquals(
                c.source().toAbsolutePath().getParent().resolve("tls/relay.pem").normalize(), r.certificate());
        Path key = write("relay2.yml", yaml("pki/gateway.key", LISTENERS, PRINCIPALS) + "relay: { client-cert: x }\n");
        assertEquals(
                key + ": relay.client-cert: unknown key (expected one of client-certificate, client-key)", error(key));
        Path half = write(
                "relay3.yml",
                yaml("pki/gateway.key", LISTENERS, PRINCIPALS) + "relay: { client-certificate: x.pem }\n");
        assertEquals(
                half + ": relay.client-key: missing (give client-certificate and client-key together)", error(half));
    }

    @Test
    void noAdminListener() throws Exception {
        Path p = write(
                "noadmin.yml",
                yaml(
                        "pki/gateway.key",
                        "  transfer: { bind: 127.0.0.1, port: 8443, allow: [127.0.0.1/32] }\n",
                        PRINCIPALS));
        assertEquals(p + ": listeners: no listener has admin: true (exactly one must)", error(p));
    }

    @Test
    void unknownRole() throws Exception {
        Path p = write("role.yml", yaml("pki/gateway.key", LISTENERS, "  - { subject: \"CN=x\", roles: [admin] }\n"));
        assertEquals(
                p
                        + ": principals[0].roles[0]: 'admin' is not a role (sender, receiver, secretariat, auditor, operator)",
                error(p));
    }

    @Test
    void keyNotMatchingCertificate() throws Exception {
        Path p = write("mismatch.yml", yaml(alice.keyFile().toString(), LISTENERS, PRINCIPALS));
        assertEquals(
                p + ": tls.key: '" + alice.keyFile() + "' does not match tls.certificate '"
                        + dir.resolve("pki/gateway.pem") + "'",
                error(p));
    }

    @Test
    void missingCertificateFile() throws Exception {
        Path p = write(
                "nocert.yml",
                yaml("pki/gateway.key", LISTENERS, PRINCIPALS).replace("pki/gateway.pem", "pki/none.pem"));
        assertEquals(p + ": tls.certificate: '" + dir.resolve("pki/none.pem") + "': no such file", error(p));
    }

    @Test
    void commandPrintsOneLineAndExitsWithTwo() throws Exception {
        Path p = write(
                "cmd.yml",
                yaml(
                        "pki/gateway.key",
                        "  admin: { bind: 127.0.0.1, port: 9443, allow: [127.0.0.1/32, 10.0.0.300/8], admin: true }\n",
                        PRINCIPALS));
        StringWriter err = new StringWriter();
        CommandLine cmd = CliErrors.configure(new CommandLine(new GatewayCommand()));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute("--config", p.toString());
        assertEquals(2, code);
        assertEquals(
                "gateway: 設定に誤りがあります。 configuration error: " + p
                        + ": listeners.admin.allow[1]: '10.0.0.300/8' is not a CIDR. 次に: 設定を直してから起動し直して"
                        + "ください（docs/gateway-config.md）。 next: fix it and start again (docs/gateway-config.md)."
                        + System.lineSeparator(),
                err.toString());
    }
}

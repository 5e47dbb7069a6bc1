package jp.sekisho.client.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.Sekisho;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity's password from a file, an environment variable (named, or SEKISHO_IDENTITY_PASSWORD)
 * or, with a warning, the command line, against a real gateway: a PKCS#12 file protected by a
 * password made here, written by the real openssl. Environment variables need a child JVM.
 */
class IdentityPasswordTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static GatewayFixture gw;
    static String password;
    static Path p12;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir.resolve("certs"));
        pki.client("secretariat");
        byte[] r = new byte[12];
        new SecureRandom().nextBytes(r);
        password = HexFormat.of().formatHex(r);
        Path pw = dir.resolve("pw.txt");
        Files.writeString(pw, password + "\n", StandardCharsets.UTF_8);
        p12 = dir.resolve("secretariat-pw.p12");
        Process p = new ProcessBuilder(
                        "openssl",
                        "pkcs12",
                        "-export",
                        "-in",
                        pki.dir().resolve("secretariat.pem").toString(),
                        "-inkey",
                        pki.dir().resolve("secretariat.key").toString(),
                        "-certfile",
                        pki.caFile().toString(),
                        "-passout",
                        "file:" + pw,
                        "-out",
                        p12.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "openssl pkcs12: " + out);
        gw = GatewayFixture.start(
                dir.resolve("gw"),
                pki,
                "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                "  - { subject: \"CN=secretariat,O=Sekisho\", roles: [secretariat] }\n");
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private static List<String> args(String... more) {
        List<String> a = new ArrayList<>(
                List.of("approvals", "list", "--gateway", gw.url("admin", ""), "--identity", p12.toString()));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void fromAFile() throws Exception {
        CliRun r = CliRun.of(
                args("--password-file", dir.resolve("pw.txt").toString()).toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        assertFalse(r.err().contains("warning"), r.toString());
    }

    @Test
    void aWrongPasswordIsAnInputError() throws Exception {
        Path wrong = dir.resolve("wrong.txt");
        Files.writeString(wrong, "not-" + password + "\n", StandardCharsets.UTF_8);
        CliRun r = CliRun.of(args("--password-file", wrong.toString()).toArray(String[]::new));
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--identity"), r.toString());
    }

    @Test
    void onTheCommandLineWithAWarning() {
        CliRun r = CliRun.of(args("--identity-password", password).toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        assertTrue(
                r.err().contains("warning: --identity-password shows the password to every user in ps"), r.toString());
    }

    @Test
    void twoSourcesAreAUsageError() {
        CliRun r = CliRun.of(args(
                        "--identity-password",
                        password,
                        "--password-file",
                        dir.resolve("pw.txt").toString())
                .toArray(String[]::new));
        assertEquals(2, r.code(), r.toString());
    }

    @Test
    void fromANamedEnvironmentVariable() throws Exception {
        assertEquals(0, child(Map.of("CITY_P12_PASSWORD", password), args("--password-env", "CITY_P12_PASSWORD")));
        assertEquals(2, child(Map.of(), args("--password-env", "CITY_P12_PASSWORD_UNSET")));
    }

    @Test
    void fromTheDefaultEnvironmentVariable() throws Exception {
        assertEquals(0, child(Map.of(GatewayOptions.PASSWORD_ENV, password), args()));
        assertEquals(2, child(Map.of(), args()), "no password anywhere: the protected file does not open");
    }

    /** Runs the command line in a child JVM with {@code env} added to this one's environment. */
    private static int child(Map<String, String> env, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Sekisho.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove(GatewayOptions.PASSWORD_ENV);
        pb.environment().putAll(env);
        pb.redirectOutput(dir.resolve("child-" + System.nanoTime() + ".log").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        return p.exitValue();
    }
}

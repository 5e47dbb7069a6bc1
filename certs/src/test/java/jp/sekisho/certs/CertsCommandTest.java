package jp.sekisho.certs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import jp.sekisho.certs.cli.CertsCommand;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.cli.CliErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The `certs` command line: what an operator types, its exit codes, and that it never half-writes. */
class CertsCommandTest {

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    private static Run certs(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = CliErrors.configure(new CommandLine(new CertsCommand()));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                files.put(
                        p.getFileName().toString(), Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return files;
    }

    @Test
    void initThenIssueWritesKeysReadableByTheOwnerOnly() throws IOException {
        Path d = tmp.resolve("pki");
        assertEquals(0, certs("init", "--dir", d.toString()).code());
        Run issue = certs("issue", "--dir", d.toString(), "--kind", "client", "--name", "a");
        assertEquals(0, issue.code(), issue.err());
        for (String f : List.of("ca.key", "gateway.key", "a.key", "a.p12", "gateway.p12")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d.resolve(f))), f);
        }
        assertTrue(Procs.run(
                        "openssl",
                        "verify",
                        "-CAfile",
                        d.resolve("ca.pem").toString(),
                        d.resolve("a.pem").toString())
                .ok());
    }

    @Test
    void theP12PasswordComesFromAFileAndOnlyWithAWarningFromArgv() throws Exception {
        Path d = tmp.resolve("pki-p12");
        assertEquals(0, certs("init", "--dir", d.toString()).code());
        Path pw = Files.writeString(tmp.resolve("p12-pass"), "terminal-pass-42\n");
        Run fromFile = certs(
                "issue",
                "--dir",
                d.toString(),
                "--kind",
                "client",
                "--name",
                "f",
                "--p12-password-file",
                pw.toString());
        assertEquals(0, fromFile.code(), fromFile.err());
        assertEquals("", fromFile.err(), "no warning for a file");
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(d.resolve("f.p12"))) {
            ks.load(in, "terminal-pass-42".toCharArray()); // throws on a wrong password
        }
        assertTrue(ks.isKeyEntry("f") || ks.aliases().hasMoreElements());

        Run fromArgv = certs("issue", "--dir", d.toString(), "--kind", "client", "--name", "g", "--p12-password", "x");
        assertEquals(0, fromArgv.code(), fromArgv.err());
        assertTrue(fromArgv.err().contains("--p12-password") && fromArgv.err().contains("ps"), fromArgv.err());

        Path japanese = Files.writeString(tmp.resolve("p12-pass-ja"), "端末の合言葉\n");
        Run refused = certs(
                "issue",
                "--dir",
                d.toString(),
                "--kind",
                "client",
                "--name",
                "h",
                "--p12-password-file",
                japanese.toString());
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().contains("ASCII"), refused.err());
        assertFalse(Files.exists(d.resolve("h.p12")), "nothing written");
    }

    @Test
    void initOnAnExistingCaRefusesAndChangesNothingUnlessForced() throws IOException {
        Path d = tmp.resolve("pki");
        assertEquals(0, certs("init", "--dir", d.toString()).code());
        Map<String, String> before = snapshot(d);

        Run again = certs("init", "--dir", d.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already holds a CA") && again.err().contains("--force"), again.err());
        assertEquals(1, again.err().strip().lines().count(), "one line: " + again.err());
        assertEquals(before, snapshot(d), "a refused init must not change any file");

        assertEquals(0, certs("init", "--dir", d.toString(), "--force").code());
        assertFalse(before.get("ca.key").equals(snapshot(d).get("ca.key")), "--force makes a new CA key");
    }

    @Test
    void issueRefusesToOverwriteAKeyUnlessForced() throws IOException {
        Path d = tmp.resolve("pki");
        certs("init", "--dir", d.toString());
        certs("issue", "--dir", d.toString(), "--kind", "client", "--name", "a");
        byte[] key = Files.readAllBytes(d.resolve("a.key"));
        Run again = certs("issue", "--dir", d.toString(), "--kind", "client", "--name", "a");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("a.key already exists"), again.err());
        assertArrayEquals(key, Files.readAllBytes(d.resolve("a.key")));
        assertEquals(
                0,
                certs("issue", "--dir", d.toString(), "--kind", "client", "--name", "a", "--force")
                        .code());
    }

    @Test
    void badInputGivesOneLineAndExitCodeTwoWithNothingWritten() throws IOException {
        Path missing = tmp.resolve("nope");
        Run noDir = certs("issue", "--dir", missing.toString(), "--kind", "client", "--name", "a");
        assertEquals(2, noDir.code());
        assertTrue(noDir.err().contains("no such folder"), noDir.err());
        assertFalse(Files.exists(missing));

        Path d = tmp.resolve("pki");
        certs("init", "--dir", d.toString());
        Map<String, String> before = snapshot(d);

        Run badKind = certs("issue", "--dir", d.toString(), "--kind", "wizard", "--name", "a");
        assertEquals(2, badKind.code());
        assertTrue(badKind.err().contains("--kind") && badKind.err().contains("wizard"), badKind.err());

        Run unknown = certs("revoke", "--dir", d.toString(), "--name", "ghost");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("no certificate named 'ghost'"), unknown.err());

        Run badName = certs("issue", "--dir", d.toString(), "--kind", "client", "--name", "../escape");
        assertEquals(2, badName.code());
        assertTrue(badName.err().contains("--name"), badName.err());

        Run badIp = certs("issue", "--dir", d.toString(), "--kind", "server", "--name", "s", "--ip", "300.1.1.1x");
        assertEquals(2, badIp.code());
        assertTrue(badIp.err().contains("--ip"), badIp.err());

        assertEquals(before, snapshot(d), "failed commands must leave the folder as it was");
    }

    @Test
    void anExpiredCaIsRefused() throws IOException {
        Path d = tmp.resolve("old");
        CertificateAuthority.init(
                new InitRequest(d, "Old", 1, List.of("localhost"), List.of(), null, false),
                Clock.fixed(Instant.now().minus(Duration.ofDays(3)), ZoneOffset.UTC));
        Map<String, String> before = snapshot(d);
        Run r = certs("issue", "--dir", d.toString(), "--kind", "client", "--name", "late");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("expired"), r.err());
        assertEquals(before, snapshot(d));
    }

    @Test
    void revokeIncrementsTheCrlNumberAndCrlResignKeepsEntries() {
        Path d = tmp.resolve("pki");
        certs("init", "--dir", d.toString());
        certs("issue", "--dir", d.toString(), "--kind", "client", "--name", "a");
        certs("issue", "--dir", d.toString(), "--kind", "client", "--name", "b");
        var crl0 = Pem.readCrl(d.resolve("crl.pem"));
        assertEquals(
                0,
                certs("revoke", "--dir", d.toString(), "--name", "a", "--reason", "keyCompromise")
                        .code());
        var crl1 = Pem.readCrl(d.resolve("crl.pem"));
        assertEquals(CrlSigner.crlNumber(crl0).add(java.math.BigInteger.ONE), CrlSigner.crlNumber(crl1));
        assertTrue(crl1.isRevoked(Pem.readCertificate(d.resolve("a.pem"))));
        assertFalse(crl1.isRevoked(Pem.readCertificate(d.resolve("b.pem"))));

        Run again = certs("revoke", "--dir", d.toString(), "--name", "a");
        assertEquals(0, again.code());
        assertTrue(again.out().contains("already revoked"), again.out());

        assertEquals(0, certs("crl", "--dir", d.toString(), "--days", "7").code());
        var crl2 = Pem.readCrl(d.resolve("crl.pem"));
        assertTrue(crl2.isRevoked(Pem.readCertificate(d.resolve("a.pem"))), "re-signing keeps entries");
        assertEquals(CrlSigner.crlNumber(crl1).add(java.math.BigInteger.ONE), CrlSigner.crlNumber(crl2));
        long days = Duration.between(
                        crl2.getThisUpdate().toInstant(), crl2.getNextUpdate().toInstant())
                .toDays();
        assertEquals(7, days);
        assertTrue(crl2.getNextUpdate().toInstant().isAfter(Instant.now()));
    }

    @Test
    void aPassphraseProtectsTheCaKey() throws IOException {
        Path d = tmp.resolve("pki");
        Path pass = tmp.resolve("pass.txt");
        Files.writeString(pass, "correct horse\n");
        assertEquals(
                0,
                certs("init", "--dir", d.toString(), "--passphrase-file", pass.toString())
                        .code());
        assertTrue(Files.readString(d.resolve("ca.key")).contains("BEGIN ENCRYPTED " + "PRIVATE KEY"));
        assertTrue(
                Procs.run("openssl", "pkey", "-in", d.resolve("ca.key").toString(), "-passin", "file:" + pass, "-noout")
                        .ok(),
                "openssl reads the protected key");

        Run without = certs("issue", "--dir", d.toString(), "--kind", "client", "--name", "a");
        assertEquals(2, without.code());
        assertTrue(without.err().contains("--passphrase-file"), without.err());

        Path wrong = tmp.resolve("wrong.txt");
        Files.writeString(wrong, "battery staple\n");
        Run bad = certs(
                "issue",
                "--dir",
                d.toString(),
                "--kind",
                "client",
                "--name",
                "a",
                "--passphrase-file",
                wrong.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("wrong passphrase"), bad.err());

        assertEquals(
                0,
                certs(
                                "issue",
                                "--dir",
                                d.toString(),
                                "--kind",
                                "client",
                                "--name",
                                "a",
                                "--passphrase-file",
                                pass.toString())
                        .code());
    }

    @Test
    void showPrintsUsagesAndFingerprintAsTextAndJson() {
        Path d = tmp.resolve("pki");
        certs("init", "--dir", d.toString());
        certs("issue", "--dir", d.toString(), "--kind", "recipient", "--name", "enc", "--org", "Contractor K.K.");
        Run text = certs("show", d.resolve("enc.pem").toString());
        assertEquals(0, text.code());
        assertTrue(text.out().contains("keyEncipherment") && text.out().contains("O=Contractor K.K."), text.out());
        String fp = CertificateSummary.sha256(Pem.readCertificate(d.resolve("enc.pem")));
        String opensslFp = Procs.run(
                        "openssl", "x509", "-in", d.resolve("enc.pem").toString(), "-noout", "-fingerprint", "-sha256")
                .out();
        assertTrue(opensslFp.replace(":", "").toLowerCase(Locale.ROOT).contains(fp), opensslFp + " vs " + fp);
        assertTrue(text.out().contains(fp));

        Run json = certs("show", "--json", d.resolve("gateway.pem").toString());
        assertTrue(
                json.out().startsWith("{\"subject\":\"CN=gateway,O=Sekisho\"")
                        && json.out().contains("\"serverAuth\""),
                json.out());

        Run notPem = certs("show", d.resolve("missing.pem").toString());
        assertEquals(2, notPem.code());
        assertTrue(notPem.err().contains("no such file"), notPem.err());
    }
}

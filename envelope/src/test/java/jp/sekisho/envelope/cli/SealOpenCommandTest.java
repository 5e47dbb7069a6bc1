package jp.sekisho.envelope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import jp.sekisho.certs.CertificateSummary;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.cli.CliErrors;
import jp.sekisho.cli.ExitCode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The seal and open commands as the lead wires them: exit codes, one-line reasons, no stack traces. */
class SealOpenCommandTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static Credential sender;
    static Credential contractor;
    static Credential other;
    static Path plain;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void setUp() throws IOException {
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        sender = pki.client("city-sender");
        contractor = pki.recipient("contractor");
        other = pki.recipient("other");
        plain = dir.resolve("給与データ.csv");
        Files.writeString(plain, "職員番号,氏名,住所,口座\n0001,山田 太郎,久留米市城南町15-3,1234567\n", StandardCharsets.UTF_8);
    }

    static Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = CliErrors.configure(new CommandLine(command));
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** The plain file sealed to the contractor, signed with the sender's PEM identity. */
    static Run sealForContractor(Path env) {
        return run(
                new SealCommand(),
                "--in",
                f(plain),
                "--out",
                f(env),
                "--to",
                f(contractor.certificateFile()),
                "--identity",
                f(sender.certificateFile()));
    }

    static String f(Path p) {
        return p.toString();
    }

    static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    @Test
    void sealThenOpenWithPemIdentity() throws Exception {
        Path env = dir.resolve("pay.cms");
        Run seal = sealForContractor(env);
        assertEquals(ExitCode.OK, seal.exit(), seal.err());
        assertTrue(seal.out().contains("envelope sha256: " + sha256(env)), seal.out());

        Path out = dir.resolve("pay.out");
        Run open = run(
                new OpenCommand(),
                "--in",
                f(env),
                "--out",
                f(out),
                "--key",
                f(contractor.keyFile()),
                "--cert",
                f(contractor.certificateFile()),
                "--trust",
                f(pki.caFile()));
        assertEquals(ExitCode.OK, open.exit(), open.err());
        assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(out));
        assertTrue(
                open.out().contains("signer sha256: " + CertificateSummary.sha256(sender.certificate())), open.out());
        assertTrue(open.out().contains("CN=city-sender"), open.out());
    }

    @Test
    void anEncryptedKeysPassphraseComesFromAFileAndFromArgvOnlyWithAWarning() throws Exception {
        Path env = dir.resolve("pw.cms");
        Run seal = sealForContractor(env);
        assertEquals(ExitCode.OK, seal.exit(), seal.err());
        Path key = dir.resolve("contractor-encrypted.key");
        Files.writeString(key, jp.sekisho.certs.Pem.encodePrivateKey(contractor.privateKey(), "鍵の合言葉".toCharArray()));
        Path pass = Files.writeString(dir.resolve("key-pass"), "鍵の合言葉\n");

        Path out = dir.resolve("pw-file.out");
        Run fromFile = run(
                new OpenCommand(),
                "--in",
                f(env),
                "--out",
                f(out),
                "--key",
                f(key),
                "--key-password-file",
                f(pass),
                "--trust",
                f(pki.caFile()));
        assertEquals(ExitCode.OK, fromFile.exit(), fromFile.err());
        assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(out));
        assertFalse(fromFile.err().contains("ps"), fromFile.err());

        Path out2 = dir.resolve("pw-argv.out");
        Run fromArgv = run(
                new OpenCommand(),
                "--in",
                f(env),
                "--out",
                f(out2),
                "--key",
                f(key),
                "--key-password",
                "鍵の合言葉",
                "--trust",
                f(pki.caFile()));
        assertEquals(ExitCode.OK, fromArgv.exit(), fromArgv.err());
        assertTrue(fromArgv.err().contains("--key-password") && fromArgv.err().contains("ps"), fromArgv.err());

        Run both = run(
                new OpenCommand(),
                "--in",
                f(env),
                "--out",
                f(dir.resolve("pw-both.out")),
                "--key",
                f(key),
                "--key-password",
                "x",
                "--key-password-file",
                f(pass),
                "--trust",
                f(pki.caFile()));
        assertEquals(ExitCode.USAGE, both.exit(), both.err());
    }

    @Test
    void sealCbcWithP12Identity() {
        Path env = dir.resolve("cbc.cms");
        Run seal = run(
                new SealCommand(),
                "--in",
                f(plain),
                "--out",
                f(env),
                "--to",
                f(contractor.certificateFile()),
                "--identity",
                f(sender.pkcs12File()),
                "--identity-password",
                "",
                "--cbc");
        assertEquals(ExitCode.OK, seal.exit(), seal.err());
        assertTrue(seal.out().contains("AES-256-CBC"), seal.out());
        Run open = run(
                new OpenCommand(),
                "--in",
                f(env),
                "--out",
                f(dir.resolve("cbc.out")),
                "--key",
                f(contractor.keyFile()),
                "--trust",
                f(pki.caFile()));
        assertEquals(ExitCode.OK, open.exit(), open.err());
    }

    @Test
    void wrongKeyIsRefusedWithReasonCode() {
        Path env = dir.resolve("wrong.cms");
        assertEquals(
                ExitCode.OK,
                run(
                                new SealCommand(),
                                "--in",
                                f(plain),
                                "--out",
                                f(env),
                                "--to",
                                f(contractor.certificateFile()),
                                "--identity",
                                f(sender.certificateFile()))
                        .exit());
        Path out = dir.resolve("wrong.out");
        Run open = run(
                new OpenCommand(),
                "--in",
                f(env),
                "--out",
                f(out),
                "--key",
                f(other.keyFile()),
                "--trust",
                f(pki.caFile()));
        assertEquals(ExitCode.REFUSED, open.exit());
        assertTrue(open.err().startsWith("open: NOT_FOR_THIS_RECIPIENT: "), open.err());
        assertEquals(1, open.err().strip().lines().count(), open.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void tamperedEnvelopeIsRefusedWithTagMismatch() throws IOException {
        Path env = dir.resolve("t.cms");
        assertEquals(
                ExitCode.OK,
                run(
                                new SealCommand(),
                                "--in",
                                f(plain),
                                "--out",
                                f(env),
                                "--to",
                                f(contractor.certificateFile()),
                                "--identity",
                                f(sender.certificateFile()))
                        .exit());
        byte[] b = Files.readAllBytes(env);
        b[b.length - 40] ^= 1; // the last ciphertext bytes, before the tag
        Files.write(env, b);
        Run open = run(
                new OpenCommand(),
                "--in",
                f(env),
                "--out",
                f(dir.resolve("t.out")),
                "--key",
                f(contractor.keyFile()),
                "--trust",
                f(pki.caFile()));
        assertEquals(ExitCode.REFUSED, open.exit(), open.err());
        assertTrue(open.err().startsWith("open: TAG_MISMATCH"), open.err());
    }

    @Test
    void missingFilesAreUsageErrors() throws IOException {
        Run seal = run(
                new SealCommand(),
                "--in",
                f(dir.resolve("nope")),
                "--out",
                f(dir.resolve("x.cms")),
                "--to",
                f(contractor.certificateFile()),
                "--identity",
                f(sender.certificateFile()));
        assertEquals(ExitCode.USAGE, seal.exit());
        assertEquals(1, seal.err().strip().lines().count(), seal.err());
        Path lonely = Files.copy(sender.certificateFile(), dir.resolve("lonely.pem"));
        Run noKey = run(
                new SealCommand(),
                "--in",
                f(plain),
                "--out",
                f(dir.resolve("x.cms")),
                "--to",
                f(contractor.certificateFile()),
                "--identity",
                f(lonely));
        assertEquals(ExitCode.USAGE, noKey.exit());
        assertTrue(noKey.err().contains("lonely.key"), noKey.err());
        assertFalse(Files.exists(dir.resolve("x.cms")));
        Run open = run(
                new OpenCommand(),
                "--in",
                f(plain),
                "--out",
                f(dir.resolve("y")),
                "--key",
                f(contractor.keyFile()),
                "--trust",
                f(pki.caFile()));
        assertEquals(ExitCode.REFUSED, open.exit(), open.err());
        assertTrue(open.err().startsWith("open: NOT_CMS"), open.err());
    }

    @Test
    void sealCompressesByDefaultOrAsToldAndOpenBoundsTheInflation() throws Exception {
        Path csv = dir.resolve("big.csv");
        Files.writeString(csv, "職員番号,氏名,住所\n0001,山田 太郎,久留米市城南町15-3\n".repeat(50_000), StandardCharsets.UTF_8);
        Path auto = dir.resolve("auto.cms");
        Path none = dir.resolve("none.cms");
        String[] common = {"--to", f(contractor.certificateFile()), "--identity", f(sender.certificateFile())};
        Run a = run(new SealCommand(), concat(new String[] {"--in", f(csv), "--out", f(auto)}, common));
        assertEquals(ExitCode.OK, a.exit(), a.err());
        assertTrue(a.out().contains("compressed: zlib"), a.out());
        Run n = run(
                new SealCommand(), concat(new String[] {"--in", f(csv), "--out", f(none), "--no-compress"}, common));
        assertEquals(ExitCode.OK, n.exit(), n.err());
        assertTrue(n.out().contains("compressed: no"), n.out());
        assertTrue(Files.size(auto) * 5 < Files.size(none), Files.size(auto) + " against " + Files.size(none));

        String[] key = {"--key", f(contractor.keyFile()), "--trust", f(pki.caFile())};
        Path out = dir.resolve("big.out");
        Run bounded = run(
                new OpenCommand(),
                concat(new String[] {"--in", f(auto), "--out", f(out), "--max-inflated", "1MiB"}, key));
        assertEquals(ExitCode.REFUSED, bounded.exit(), bounded.out() + bounded.err());
        assertTrue(bounded.err().contains("INFLATED_TOO_LARGE"), bounded.err());
        assertFalse(Files.exists(out));
        Run opened = run(new OpenCommand(), concat(new String[] {"--in", f(auto), "--out", f(out)}, key));
        assertEquals(ExitCode.OK, opened.exit(), opened.err());
        assertArrayEquals(Files.readAllBytes(csv), Files.readAllBytes(out));
        Run badSize = run(
                new OpenCommand(),
                concat(new String[] {"--in", f(auto), "--out", f(out), "--max-inflated", "lots"}, key));
        assertEquals(ExitCode.USAGE, badSize.exit(), badSize.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}

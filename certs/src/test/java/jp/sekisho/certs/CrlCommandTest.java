package jp.sekisho.certs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.util.Locale;
import jp.sekisho.certs.cli.CertsCommand;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.cli.CliErrors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 19, item 2 on the command line: `certs show` reads a CRL (PEM, or DER as the real openssl
 * writes it), `certs revoke` and `certs crl` keep the CRL's period unless told, a zero-day CRL is refused.
 */
class CrlCommandTest {

    @TempDir
    Path tmp;

    Path ca;
    Path contractor;

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

    private static void ok(Run r) {
        assertEquals(0, r.code(), r.toString());
    }

    @BeforeEach
    void dirs() throws IOException {
        ca = tmp.resolve("city-ca");
        contractor = Files.createDirectories(tmp.resolve("contractor"));
        ok(certs("init", "--dir", ca.toString(), "--org", "Kurume City"));
    }

    private Run sign(Path csr, String kind, String name) {
        return certs("sign", "--dir", ca.toString(), "--csr", csr.toString(), "--kind", kind, "--name", name);
    }

    @Test
    void showReadsACrlInPemAndDerWithTheRevokedSerial() throws IOException {
        ok(certs("issue", "--dir", ca.toString(), "--kind", "client", "--name", "gone"));
        ok(certs("revoke", "--dir", ca.toString(), "--name", "gone", "--reason", "keyCompromise"));
        String serial = Pem.readCertificate(ca.resolve("gone.pem"))
                .getSerialNumber()
                .toString(16)
                .toLowerCase(Locale.ROOT);
        X509CRL crl = Pem.readCrl(ca.resolve("crl.pem"));

        Run text = certs("show", ca.resolve("crl.pem").toString());
        ok(text);
        assertTrue(text.out().contains("CN=Kurume City CA,O=Kurume City"), text.out());
        assertTrue(text.out().contains("番号 CRL number:        2"), text.out());
        assertTrue(text.out().contains(serial) && text.out().contains("keyCompromise"), text.out());
        assertTrue(
                text.out()
                        .contains(jp.sekisho.cli.JapaneseDates.timeJst(
                                crl.getNextUpdate().toInstant())),
                text.out());
        assertTrue(text.out().contains("令和"), "the era beside the date: " + text.out());
        assertTrue(text.out().contains("in 29 days") || text.out().contains("in 30 days"), text.out());

        Path der = tmp.resolve("crl.der");
        assertTrue(Procs.run(
                        "openssl",
                        "crl",
                        "-in",
                        ca.resolve("crl.pem").toString(),
                        "-outform",
                        "DER",
                        "-out",
                        der.toString())
                .ok());
        Run json = certs("show", "--json", der.toString());
        ok(json);
        assertTrue(
                json.out()
                                .startsWith(
                                        "{\"type\":\"crl\",\"issuer\":\"CN=Kurume City CA,O=Kurume City\",\"number\":\"2\"")
                        && json.out().contains("{\"serial\":\"" + serial + "\",\"date\":\"")
                        && json.out().contains("\"reason\":\"keyCompromise\"")
                        && json.out()
                                .contains("\"nextUpdate\":\""
                                        + crl.getNextUpdate().toInstant() + "\""),
                json.out());

        Run garbage = certs("show", tmp.resolve("city-ca").resolve("ca.key").toString());
        assertEquals(2, garbage.code());
        assertTrue(garbage.err().contains("no certificate or CRL"), garbage.err());
    }

    @Test
    void revokeKeepsTheCrlsPeriodUnlessToldAndAZeroDayCrlIsRefused() throws IOException {
        ok(certs("issue", "--dir", ca.toString(), "--kind", "client", "--name", "a"));
        ok(certs("issue", "--dir", ca.toString(), "--kind", "client", "--name", "b"));
        ok(certs("crl", "--dir", ca.toString(), "--days", "7"));
        assertEquals(Duration.ofDays(7), period(Pem.readCrl(ca.resolve("crl.pem"))));

        ok(certs("revoke", "--dir", ca.toString(), "--name", "a"));
        assertEquals(Duration.ofDays(7), period(Pem.readCrl(ca.resolve("crl.pem"))), "revoke keeps 7 days");
        ok(certs("crl", "--dir", ca.toString()));
        assertEquals(Duration.ofDays(7), period(Pem.readCrl(ca.resolve("crl.pem"))), "crl keeps 7 days");

        ok(certs("revoke", "--dir", ca.toString(), "--name", "b", "--days", "3"));
        assertEquals(Duration.ofDays(3), period(Pem.readCrl(ca.resolve("crl.pem"))));

        byte[] before = Files.readAllBytes(ca.resolve("crl.pem"));
        Run zero = certs("crl", "--dir", ca.toString(), "--days", "0");
        assertEquals(2, zero.code());
        assertTrue(zero.err().contains("at least 1 day"), zero.err());
        Run tooLong = certs("crl", "--dir", ca.toString(), "--days", "4000");
        assertEquals(2, tooLong.code());
        assertTrue(tooLong.err().contains("at most 366 days"), tooLong.err());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(ca.resolve("crl.pem"))), "CRL unchanged");
    }

    @Test
    void aCrlWithoutAPeriodFallsBackToThirtyDays() {
        assertEquals(Duration.ofDays(30), CrlSigner.periodOf(null));
        X509CRL crl = Pem.readCrl(ca.resolve("crl.pem"));
        assertEquals(Duration.ofDays(30), CrlSigner.periodOf(crl), "init's CRL");
        assertTrue(CrlSummary.of(crl).revoked().isEmpty(), "an empty CRL lists none");
    }

    private static Duration period(X509CRL crl) {
        return Duration.between(
                crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant());
    }
}

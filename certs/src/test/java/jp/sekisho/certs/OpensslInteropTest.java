package jp.sekisho.certs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.certs.testing.Procs.Result;
import jp.sekisho.certs.testing.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real openssl binary must agree with everything the PKI writes. */
class OpensslInteropTest {

    @TempDir
    static Path dir;

    static TestPki pki;

    @BeforeAll
    static void mint() {
        pki = TestPki.create(dir);
        pki.client("city-sender", "Kurume City", "総務部");
        pki.server("gw2", List.of("gw2.example.jp"), List.of("10.0.0.2", "::1"));
        pki.recipient("contractor-enc");
        pki.authority()
                .issue(new IssueRequest(
                        "contractor-ec",
                        CertKind.RECIPIENT,
                        null,
                        null,
                        List.of(),
                        List.of(),
                        30,
                        KeyAlgorithm.EC_P256,
                        null,
                        false));
    }

    private static Result openssl(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "openssl";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return Procs.run(cmd);
    }

    private static String file(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void opensslVerifiesEveryIssuedCertificate() {
        for (String name : List.of("gateway", "city-sender", "gw2", "contractor-enc", "contractor-ec")) {
            Result r = openssl("verify", "-CAfile", file("ca.pem"), file(name + ".pem"));
            assertTrue(r.ok() && r.out().contains(name + ".pem: OK"), name + ": " + r.out());
        }
    }

    @Test
    void opensslVerifiesWithTheEmptyCrlAndRejectsARevokedCertificate() {
        pki.client("leaver");
        Result before = openssl(
                "verify", "-crl_check", "-CRLfile", file("crl.pem"), "-CAfile", file("ca.pem"), file("leaver.pem"));
        assertTrue(before.ok(), before.out());

        pki.revoke("leaver");

        Result after = openssl(
                "verify", "-crl_check", "-CRLfile", file("crl.pem"), "-CAfile", file("ca.pem"), file("leaver.pem"));
        assertFalse(after.ok(), after.out());
        assertTrue(after.out().contains("certificate revoked"), after.out());
        Result other = openssl(
                "verify",
                "-crl_check",
                "-CRLfile",
                file("crl.pem"),
                "-CAfile",
                file("ca.pem"),
                file("city-sender.pem"));
        assertTrue(other.ok(), "revoking one certificate must not affect another: " + other.out());
    }

    @Test
    void opensslShowsTheUsagesOfEachKind() {
        String client = openssl("x509", "-in", file("city-sender.pem"), "-noout", "-text")
                .out();
        assertTrue(client.contains("Digital Signature"), client);
        assertTrue(client.contains("TLS Web Client Authentication"), client);
        assertFalse(client.contains("TLS Web Server Authentication"), client);
        assertTrue(client.contains("CA:FALSE"), client);

        String server =
                openssl("x509", "-in", file("gw2.pem"), "-noout", "-text").out();
        assertTrue(server.contains("TLS Web Server Authentication"), server);
        assertFalse(server.contains("TLS Web Client Authentication"), server);
        assertTrue(
                server.contains("DNS:gw2.example.jp")
                        && server.contains("IP Address:10.0.0.2")
                        && server.contains("IP Address:0:0:0:0:0:0:0:1"),
                server);

        String rsaRecipient = openssl("x509", "-in", file("contractor-enc.pem"), "-noout", "-text")
                .out();
        assertTrue(rsaRecipient.contains("Key Encipherment") && rsaRecipient.contains("3072 bit"), rsaRecipient);
        assertFalse(rsaRecipient.contains("TLS Web"), "recipient certificates carry no TLS usage: " + rsaRecipient);

        String ecRecipient = openssl("x509", "-in", file("contractor-ec.pem"), "-noout", "-text")
                .out();
        assertTrue(ecRecipient.contains("Key Agreement"), ecRecipient);

        String ca = openssl("x509", "-in", file("ca.pem"), "-noout", "-text").out();
        assertTrue(ca.contains("CA:TRUE") && ca.contains("Certificate Sign, CRL Sign"), ca);
    }

    @Test
    void opensslReadsThePkcs12FileAndItsKeyMatchesTheCertificate() throws Exception {
        Result p12 = openssl("pkcs12", "-in", file("city-sender.p12"), "-passin", "pass:", "-nodes");
        assertTrue(p12.ok(), p12.out());
        assertTrue(p12.out().contains("BEGIN " + "PRIVATE KEY"), p12.out());
        // leaf + CA
        assertEquals(2, p12.out().split("BEGIN CERTIFICATE").length - 1, p12.out());

        Result certKey = openssl("x509", "-in", file("city-sender.pem"), "-noout", "-pubkey");
        Result keyPub = openssl("pkey", "-in", file("city-sender.key"), "-pubout");
        assertTrue(certKey.ok() && keyPub.ok(), certKey.out() + keyPub.out());
        assertEquals(certKey.out(), keyPub.out(), "the .key file must hold the certificate's key");
        assertTrue(
                Files.readString(dir.resolve("city-sender.key"))
                        .startsWith("-----BEGIN "
                                + "PRIVATE KEY-----" /* split: no key material here, only its PEM label */),
                "PKCS#8 PEM");
    }

    @Test
    void opensslReadsAPasswordProtectedPkcs12File() {
        pki.authority()
                .issue(new IssueRequest(
                        "with-password",
                        CertKind.CLIENT,
                        null,
                        null,
                        List.of(),
                        List.of(),
                        30,
                        null,
                        "s3cret".toCharArray(),
                        false));
        assertTrue(openssl("pkcs12", "-in", file("with-password.p12"), "-passin", "pass:s3cret", "-nokeys")
                .ok());
        assertFalse(openssl("pkcs12", "-in", file("with-password.p12"), "-passin", "pass:wrong", "-nokeys")
                .ok());

        // A password keeps the JDK's 10,000 iterations; an empty one gets a single iteration (nothing to protect).
        Result strong =
                openssl("pkcs12", "-in", file("with-password.p12"), "-passin", "pass:s3cret", "-info", "-noout");
        assertTrue(strong.out().contains("MAC: sha256, Iteration 10000"), strong.out());
        Result empty = openssl("pkcs12", "-in", file("city-sender.p12"), "-passin", "pass:", "-info", "-noout");
        assertTrue(
                empty.ok()
                        && empty.out().contains("Iteration 1\n")
                        && !empty.out().contains("Iteration 10000"),
                empty.out());
    }

    @Test
    void subjectCarriesNameOrganisationAndUnit() {
        String subject = openssl(
                        "x509", "-in", file("city-sender.pem"), "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus")
                .out();
        assertTrue(
                subject.contains("O=Kurume City") && subject.contains("OU=総務部") && subject.contains("CN=city-sender"),
                subject);
    }
}

package jp.sekisho.certs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import jp.sekisho.certs.cli.CertsCommand;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.cli.CliErrors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 19, item 8 on the command line: a key made where it is used and a certificate issued from its
 * CSR, whose usages the CA decides. CSRs the CA must refuse are made by the real openssl, as a
 * contractor's tools would make them.
 */
class CsrCommandTest {

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
    void aRecipientKeyStaysWithTheContractorAndTheKindDecidesTheUsages() throws IOException {
        Path key = contractor.resolve("enc.key");
        Path csr = contractor.resolve("enc.csr");
        Path pass = contractor.resolve("pass.txt");
        Files.writeString(pass, "contractor's own secret\n");
        Run req = certs(
                "request",
                "--kind",
                "recipient",
                "--subject",
                "CN=contractor-enc,O=Contractor K.K.",
                "--out-key",
                key.toString(),
                "--out-csr",
                csr.toString(),
                "--passphrase-file",
                pass.toString());
        ok(req);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertTrue(Files.readString(key).contains("BEGIN ENCRYPTED " + "PRIVATE KEY"));
        assertTrue(
                Procs.run("openssl", "req", "-in", csr.toString(), "-noout", "-verify")
                        .ok(),
                "openssl verifies the CSR's self-signature");
        assertTrue(Procs.run("openssl", "pkey", "-in", key.toString(), "-passin", "file:" + pass, "-noout")
                .ok());

        Run signed = sign(csr, "recipient", "contractor-enc");
        ok(signed);
        X509Certificate cert = Pem.readCertificate(ca.resolve("contractor-enc.pem"));
        assertFalse(Files.exists(ca.resolve("contractor-enc.key")), "the CA never has the key");
        assertFalse(Files.exists(ca.resolve("contractor-enc.p12")));
        CertificateSummary s = CertificateSummary.of(cert);
        assertEquals(List.of("keyEncipherment"), s.keyUsage(), s.toString());
        assertEquals(List.of(), s.extendedKeyUsage());
        assertEquals("CN=contractor-enc,O=Kurume City", s.subject(), "the city decides the subject");
        assertEquals(
                Pem.readPrivateKey(key, "contractor's own secret".toCharArray()).getAlgorithm(),
                cert.getPublicKey().getAlgorithm());
        assertTrue(Procs.run(
                        "openssl",
                        "x509",
                        "-in",
                        ca.resolve("contractor-enc.pem").toString(),
                        "-noout",
                        "-modulus")
                .out()
                .equals(Procs.run(
                                "openssl",
                                "rsa",
                                "-in",
                                key.toString(),
                                "-passin",
                                "file:" + pass,
                                "-noout",
                                "-modulus")
                        .out()));
        assertTrue(Procs.run(
                        "openssl",
                        "verify",
                        "-CAfile",
                        ca.resolve("ca.pem").toString(),
                        ca.resolve("contractor-enc.pem").toString())
                .ok());
    }

    @Test
    void extensionsTheCsrAsksForAreIgnored() throws IOException {
        // A CSR asking to be a CA that may also serve TLS: the city signs it as a plain client.
        Path key = contractor.resolve("greedy.key");
        Path csr = contractor.resolve("greedy.csr");
        Procs.Result made = Procs.run(
                "openssl",
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                key.toString(),
                "-out",
                csr.toString(),
                "-subj",
                "/CN=greedy",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
                "-addext",
                "extendedKeyUsage=serverAuth,codeSigning",
                "-addext",
                "subjectAltName=DNS:gateway.example");
        assertTrue(made.ok(), made.out());
        ok(sign(csr, "client", "greedy"));
        X509Certificate cert = Pem.readCertificate(ca.resolve("greedy.pem"));
        CertificateSummary s = CertificateSummary.of(cert);
        assertFalse(s.ca());
        assertEquals(-1, cert.getBasicConstraints());
        assertEquals(List.of("digitalSignature"), s.keyUsage());
        assertEquals(List.of("clientAuth", "emailProtection"), s.extendedKeyUsage());
        assertEquals(List.of(), s.subjectAltNames());

        // The same key as a server, with the city's names: serverAuth and only the names given here.
        Run server = certs(
                "sign",
                "--dir",
                ca.toString(),
                "--csr",
                csr.toString(),
                "--kind",
                "server",
                "--name",
                "gw2",
                "--dns",
                "gw2.city.example");
        ok(server);
        CertificateSummary gs = CertificateSummary.of(Pem.readCertificate(ca.resolve("gw2.pem")));
        assertEquals(List.of("serverAuth"), gs.extendedKeyUsage());
        assertEquals(List.of("DNS:gw2.city.example"), gs.subjectAltNames());
    }

    @Test
    void aTamperedCsrIsRefusedAndNothingIsWritten() throws IOException {
        Path csr = contractor.resolve("t.csr");
        ok(certs(
                "request",
                "--kind",
                "client",
                "--subject",
                "CN=honest",
                "--out-key",
                contractor.resolve("t.key").toString(),
                "--out-csr",
                csr.toString()));
        String pem = Files.readString(csr);
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(b64);
        String asText = new String(der, StandardCharsets.ISO_8859_1);
        int at = asText.indexOf("honest");
        assertTrue(at > 0);
        der[at] = 'm'; // "monest": the name changed after the requester signed it
        Path tampered = contractor.resolve("tampered.csr");
        Files.write(tampered, der); // DER this time
        Run r = sign(tampered, "client", "mallory");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("does not verify"), r.err());
        assertFalse(Files.exists(ca.resolve("mallory.pem")));

        Run notCsr = sign(ca.resolve("ca.pem"), "client", "mallory");
        assertEquals(2, notCsr.code());
        assertTrue(notCsr.err().contains("no certificate request"), notCsr.err());

        Path huge = contractor.resolve("huge.csr");
        Files.write(huge, new byte[CertificationRequests.MAX_BYTES + 1]);
        Run big = sign(huge, "client", "mallory");
        assertEquals(2, big.code());
        assertTrue(big.err().contains("file too large"), big.err());
        assertFalse(Files.exists(ca.resolve("mallory.pem")));
    }

    @Test
    void weakOrUnknownKeysAreRefused() {
        Path rsa1024 = contractor.resolve("rsa1024.csr");
        assertTrue(Procs.run(
                        "openssl",
                        "req",
                        "-new",
                        "-newkey",
                        "rsa:1024",
                        "-nodes",
                        "-keyout",
                        contractor.resolve("rsa1024.key").toString(),
                        "-out",
                        rsa1024.toString(),
                        "-subj",
                        "/CN=weak")
                .ok());
        Run weak = sign(rsa1024, "recipient", "weak");
        assertEquals(2, weak.code());
        assertTrue(weak.err().contains("RSA key of 1024 bits is refused"), weak.err());
        assertFalse(Files.exists(ca.resolve("weak.pem")));

        Path k1 = contractor.resolve("k1.csr");
        assertTrue(Procs.run(
                        "openssl",
                        "req",
                        "-new",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:secp256k1",
                        "-nodes",
                        "-keyout",
                        contractor.resolve("k1.key").toString(),
                        "-out",
                        k1.toString(),
                        "-subj",
                        "/CN=k1")
                .ok());
        Run curve = sign(k1, "client", "k1");
        assertEquals(2, curve.code());
        assertTrue(curve.err().contains("P-256 and P-384 only"), curve.err());

        Path rsa2048 = contractor.resolve("rsa2048.csr");
        assertTrue(Procs.run(
                        "openssl",
                        "req",
                        "-new",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-keyout",
                        contractor.resolve("rsa2048.key").toString(),
                        "-out",
                        rsa2048.toString(),
                        "-subj",
                        "/CN=enough")
                .ok());
        ok(sign(rsa2048, "recipient", "enough"));
    }

    @Test
    void requestRefusesToOverwriteAKey() throws IOException {
        Path key = contractor.resolve("a.key");
        Files.writeString(key, "precious");
        Run r = certs(
                "request",
                "--kind",
                "client",
                "--subject",
                "CN=a",
                "--out-key",
                key.toString(),
                "--out-csr",
                contractor.resolve("a.csr").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("refusing to overwrite a key"), r.err());
        assertEquals("precious", Files.readString(key));
        assertFalse(Files.exists(contractor.resolve("a.csr")));
        Run noCn = certs(
                "request",
                "--kind",
                "client",
                "--subject",
                "O=Nobody",
                "--out-key",
                contractor.resolve("b.key").toString(),
                "--out-csr",
                contractor.resolve("b.csr").toString());
        assertEquals(2, noCn.code());
        assertTrue(noCn.err().contains("has no CN"), noCn.err());
    }
}

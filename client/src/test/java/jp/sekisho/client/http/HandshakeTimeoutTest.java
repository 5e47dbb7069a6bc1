package jp.sekisho.client.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.client.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway (or a load balancer in front of one) that takes the TCP connection but never finishes
 * the TLS handshake: seen with an overloaded machine, where a cold client JVM's handshake took longer
 * than the connect timeout. The client must not say "cannot connect … is the gateway running?" (it
 * did connect); it says the handshake did not finish in time, exit 3 (try again), reason first.
 */
class HandshakeTimeoutTest {

    @TempDir
    Path dir;

    @Test
    void aStalledHandshakeIsReportedAsSuchNotAsNoGateway() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        pki.client("secretariat");
        try (SilentListener silent = new SilentListener()) {
            CliRun r = ConnectionRefusalsTest.list(pki, "https://127.0.0.1:" + silent.port(), "secretariat");
            ConnectionRefusalsTest.assertRefusal(3, "UNAVAILABLE", r);
            assertTrue(r.err().contains("TLS"), r.toString());
            assertTrue(!r.err().contains("is the gateway running"), r.toString());
        }
    }
}

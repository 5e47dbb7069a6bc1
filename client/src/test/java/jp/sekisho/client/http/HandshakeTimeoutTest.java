package jp.sekisho.client.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
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
        // the accepter thread adds while the test thread closes: the client may connect again
        Queue<Socket> held = new ConcurrentLinkedQueue<>();
        Thread accepter = null;
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            accepter = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accepted, never answered
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            accepter.setDaemon(true);
            accepter.start();
            CliRun r = ConnectionRefusalsTest.list(pki, "https://127.0.0.1:" + silent.getLocalPort(), "secretariat");
            ConnectionRefusalsTest.assertRefusal(3, "UNAVAILABLE", r);
            assertTrue(r.err().contains("TLS"), r.toString());
            assertTrue(!r.err().contains("is the gateway running"), r.toString());
        } finally {
            if (accepter != null) {
                accepter.join(5_000); // the server socket is closed: accept() has thrown
            }
            for (Socket s : held) {
                s.close();
            }
        }
    }
}

package jp.sekisho.client.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/**
 * Every HttpsURLConnection of the client names its own TLS identity and CA; one that forgot to must
 * fail, not fall back to the JDK's public CAs (whose default context, besides, cost every command
 * ~35 ms to build). And the JDK must not repeat a POST on its own.
 */
class UrlConnectionsTest {

    @Test
    void aConnectionWithoutItsOwnFactoryIsRefused() throws Exception {
        UrlConnections.install();
        UrlConnections.install(); // once is enough, twice is harmless
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            HttpsURLConnection c =
                    (HttpsURLConnection) URI.create("https://127.0.0.1:" + listening.getLocalPort() + "/")
                            .toURL()
                            .openConnection();
            c.setConnectTimeout(2_000);
            SSLException e = assertThrows(SSLException.class, c::getResponseCode);
            assertTrue(e.getMessage().contains("no TLS identity was set"), e.getMessage());
        }
        assertEquals("false", System.getProperty("sun.net.http.retryPost"));
    }
}

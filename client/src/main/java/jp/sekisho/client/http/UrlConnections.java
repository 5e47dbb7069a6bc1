package jp.sekisho.client.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;

/**
 * The process-wide settings of {@link HttpsURLConnection}, which carries every exchange with the
 * gateway ({@link UrlExchange}, uploads, downloads):
 *
 * <ul>
 *   <li>The default socket factory is one that refuses to connect. Every connection Sekisho opens
 *       names its own (the caller's certificate, the gateway's CA), so the default is never meant to
 *       be used; and leaving the JDK's in place is not free: each new HttpsURLConnection asks for it,
 *       and building it parses the JDK's {@code cacerts}, about 35 ms of every {@code send} and
 *       {@code receive} (issue 18). A connection that forgot its factory fails with a message instead
 *       of trusting the public CAs.
 *   <li>A POST is never sent a second time by the JDK on its own ({@code sun.net.http.retryPost}):
 *       by default it silently repeats one that met a closed keep-alive connection, which for a
 *       decision or an upload's creation would be a second request nobody made.
 * </ul>
 */
final class UrlConnections extends SSLSocketFactory {

    private static volatile boolean installed;

    private UrlConnections() {}

    /** Applies the settings, once per process, before the first connection. */
    static void install() {
        if (!installed) {
            synchronized (UrlConnections.class) {
                if (!installed) {
                    System.setProperty("sun.net.http.retryPost", "false");
                    HttpsURLConnection.setDefaultSSLSocketFactory(new UrlConnections());
                    installed = true;
                }
            }
        }
    }

    private static SSLException refused() {
        return new SSLException("この接続には TLS の証明書が設定されていません。 no TLS identity was set on this"
                + " connection: Sekisho names the certificate and CA on each one (a bug if you see this)");
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return new String[0];
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return new String[0];
    }

    @Override
    public Socket createSocket() throws IOException {
        throw refused();
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        throw refused();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        throw refused();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        throw refused();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        throw refused();
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        throw refused();
    }
}

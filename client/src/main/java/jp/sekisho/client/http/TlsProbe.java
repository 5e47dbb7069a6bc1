package jp.sekisho.client.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A second look at a gateway after a connection closed without a TLS alert we could read. First one
 * fresh TCP connection (from the --bind address, if any) that sends a real ClientHello and reads one
 * byte: the gateway's edge closes a connection from an address it does not allow before reading it,
 * so no byte (EOF or reset) means "refused before TLS". Then, as the gateway does speak TLS here, one
 * handshake with this client's certificate and a request: with TLS 1.3 the gateway checks the
 * client's certificate after the client has finished its side, and the JDK HttpClient then reports
 * only "header parser received no bytes"; an {@link SSLSocket} reports the alert itself.
 */
final class TlsProbe {

    /** What the second look saw. */
    sealed interface Sight {}

    /** The connection closed before any byte of TLS came back. */
    record ClosedBeforeTls() implements Sight {}

    /** The gateway ended the handshake with this alert. */
    record Alert(String name) implements Sight {}

    /** The gateway answered over TLS: the first failure was a connection lost. */
    record Answered() implements Sight {}

    /** No connection at all. */
    record Unreachable() implements Sight {}

    private static final int TIMEOUT_MILLIS = 5_000;

    private final URI base;
    private final SSLContext ssl;
    private final InetAddress bind;
    private final SSLSocketFactory sockets;

    TlsProbe(URI base, SSLContext ssl, InetAddress bind, SSLSocketFactory sockets) {
        this.base = base;
        this.ssl = ssl;
        this.bind = bind;
        this.sockets = sockets;
    }

    /** Whether a plain TCP connection to the gateway opens (from the --bind address, if any). */
    boolean tcpConnects() {
        try (Socket s = new Socket()) {
            if (bind != null) {
                s.bind(new InetSocketAddress(bind, 0));
            }
            s.connect(new InetSocketAddress(base.getHost(), base.getPort() < 0 ? 443 : base.getPort()), TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    Sight look() {
        String host = base.getHost();
        int port = base.getPort() < 0 ? 443 : base.getPort();
        byte[] hello;
        try {
            hello = clientHello(host, port);
        } catch (IOException e) {
            return new Unreachable(); // cannot even say hello: nothing to conclude about the gateway
        }
        try (Socket s = new Socket()) {
            if (bind != null) {
                s.bind(new InetSocketAddress(bind, 0));
            }
            s.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            try {
                s.getOutputStream().write(hello);
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                if (in.read() < 0) {
                    return new ClosedBeforeTls();
                }
            } catch (SocketException e) {
                return new ClosedBeforeTls(); // reset while saying hello: closed before any ServerHello
            }
        } catch (IOException e) {
            return new Unreachable();
        }
        return handshake(host, port);
    }

    private Sight handshake(String host, int port) {
        try (Socket s = new Socket()) {
            if (bind != null) {
                s.bind(new InetSocketAddress(bind, 0));
            }
            s.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            try (SSLSocket tls = (SSLSocket) sockets.createSocket(s, host, port, true)) {
                tls.startHandshake();
                OutputStream out = tls.getOutputStream();
                out.write(("HEAD / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                tls.getInputStream().read();
                return new Answered();
            }
        } catch (IOException e) {
            return ConnectionFailure.alert(e).<Sight>map(Alert::new).orElse(new Answered());
        }
    }

    private byte[] clientHello(String host, int port) throws IOException {
        SSLEngine e = ssl.createSSLEngine(host, port);
        e.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
        e.beginHandshake();
        e.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }
}

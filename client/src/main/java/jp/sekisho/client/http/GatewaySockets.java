package jp.sekisho.client.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The TLS sockets of every connection to the gateway ({@link javax.net.ssl.HttpsURLConnection}),
 * bound to {@code --bind}'s address when one is given, for a host with several addresses.
 *
 * <p>Each socket must finish its TLS handshake within the connect timeout of its creation, or it is
 * closed ({@link HandshakeDeadline}). HttpsURLConnection gives the handshake the read timeout
 * instead, which for a download or an upload's PATCH is 10 minutes: a gateway or load balancer that
 * takes the connection and never answers would hold a transfer that long.
 */
final class GatewaySockets extends SSLSocketFactory {

    private final SSLSocketFactory delegate;
    private final InetAddress local;
    private final Duration handshakeWithin;

    /** {@code local} null: the system chooses the local address. */
    GatewaySockets(SSLSocketFactory delegate, InetAddress local, Duration handshakeWithin) {
        this.delegate = delegate;
        this.local = local;
        this.handshakeWithin = handshakeWithin;
    }

    /** HttpsURLConnection asks for an unconnected socket and connects it itself: bind it first. */
    @Override
    public Socket createSocket() throws IOException {
        Socket s = delegate.createSocket();
        if (local != null) {
            s.bind(new InetSocketAddress(local, 0));
        }
        return armed(s);
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return armed(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return armed(delegate.createSocket(host, port, local, 0));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress ignored, int localPort) throws IOException {
        return armed(delegate.createSocket(host, port, local, 0));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return armed(delegate.createSocket(host, port, local, 0));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress ignored, int localPort) throws IOException {
        return armed(delegate.createSocket(address, port, local, 0));
    }

    private Socket armed(Socket s) {
        if (s instanceof SSLSocket tls) {
            HandshakeDeadline.arm(tls, handshakeWithin);
        }
        return s;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }
}

package jp.sekisho.client.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The TLS sockets of every connection to the gateway ({@link javax.net.ssl.HttpsURLConnection}),
 * bound to {@code --bind}'s address when one is given, for a host with several addresses.
 */
final class GatewaySockets extends SSLSocketFactory {

    private final SSLSocketFactory delegate;
    private final InetAddress local;

    /** {@code local} null: the system chooses the local address. */
    GatewaySockets(SSLSocketFactory delegate, InetAddress local) {
        this.delegate = delegate;
        this.local = local;
    }

    /** HttpsURLConnection asks for an unconnected socket and connects it itself: bind it first. */
    @Override
    public Socket createSocket() throws IOException {
        Socket s = delegate.createSocket();
        if (local != null) {
            s.bind(new InetSocketAddress(local, 0));
        }
        return s;
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return delegate.createSocket(s, host, port, autoClose);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return delegate.createSocket(host, port, local, 0);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress ignored, int localPort) throws IOException {
        return delegate.createSocket(host, port, local, 0);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return delegate.createSocket(host, port, local, 0);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress ignored, int localPort) throws IOException {
        return delegate.createSocket(address, port, local, 0);
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

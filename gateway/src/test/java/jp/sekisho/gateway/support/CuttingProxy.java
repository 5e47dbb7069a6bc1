package jp.sekisho.gateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP relay in front of a gateway that passes the first {@code limit} bytes of every answer and
 * then closes both sides: a connection cut mid-response, as a restart, a reset or a load balancer's
 * timeout would cut it. TLS passes through untouched.
 */
public final class CuttingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int upstreamPort;
    private final long limit;

    public CuttingProxy(int upstreamPort, long limit) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.upstreamPort = upstreamPort;
        this.limit = limit;
        Thread accept = new Thread(this::acceptLoop, "cutting-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                relay(client, upstream, Long.MAX_VALUE, "up");
                relay(upstream, client, limit, "down");
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void relay(Socket from, Socket to, long max, String name) {
        Thread t = new Thread(
                () -> {
                    long sent = 0;
                    byte[] buf = new byte[8192];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        for (int n; sent < max && (n = in.read(buf, 0, (int) Math.min(buf.length, max - sent))) > 0; ) {
                            out.write(buf, 0, n);
                            sent += n;
                        }
                    } catch (IOException ignored) {
                        // the other direction closed first
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "cutting-proxy-" + name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

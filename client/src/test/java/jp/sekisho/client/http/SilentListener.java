package jp.sekisho.client.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A gateway (or load balancer) that takes every TCP connection and never says a word: the TLS
 * handshake of a client stalls. Closing it closes what it took.
 */
final class SilentListener implements AutoCloseable {

    private final ServerSocket server;
    // the accepter adds while close() empties it: a client may connect again after its timeout
    private final Queue<Socket> held = new ConcurrentLinkedQueue<>();
    private final Thread accepter;

    SilentListener() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        accepter = new Thread(() -> {
            try {
                while (true) {
                    held.add(server.accept()); // accepted, never answered
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        accepter.setDaemon(true);
        accepter.start();
    }

    int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        accepter.join(5_000); // the server socket is closed: accept() has thrown
        for (Socket s : held) {
            s.close();
        }
    }
}

package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay between a client and the gateway (TLS passes through it untouched) that holds bytes at
 * an exact point of a transfer, so that a test can kill the client there: once one connection has
 * carried {@code trigger} bytes from the gateway, it stops relaying what {@link Hold} says, until
 * {@link #close}. No timing is involved: what is held cannot arrive.
 */
final class HoldingProxy implements AutoCloseable {

    enum Hold {
        /** Nothing more reaches the gateway (the download connection itself has nothing more to send). */
        REQUESTS,
        /**
         * Answers stop, but for the rest of the answer that carried the trigger (the download): on
         * its connection, once the client sends anything more there (a next request on the kept-alive
         * connection), answers stop too.
         */
        OTHER_ANSWERS,
        /** Answers stop everywhere, the download included: it stalls half-way. */
        ANSWERS
    }

    private final ServerSocket server;
    private final int targetPort;
    private final Hold hold;
    private final long trigger;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private Socket triggeredBy; // guarded by lock
    private boolean askedAgain; // guarded by lock: the client sent more on triggeredBy after the trigger
    private boolean closed; // guarded by lock

    HoldingProxy(int targetPort, Hold hold, long trigger) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        this.hold = hold;
        this.trigger = trigger;
        Thread t = new Thread(this::accept, "proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    boolean triggered() {
        synchronized (lock) {
            return triggeredBy != null;
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket gateway = new Socket();
                gateway.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                sockets.add(client);
                sockets.add(gateway);
                pump(client, gateway, client, false);
                pump(gateway, client, client, true);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, Socket connection, boolean answers) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[16 * 1024];
                    long carried = 0;
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            if (!answers) {
                                synchronized (lock) {
                                    askedAgain |= connection == triggeredBy;
                                }
                            }
                            if (answers && carried + n >= trigger) {
                                synchronized (lock) {
                                    if (triggeredBy == null) {
                                        triggeredBy = connection;
                                    }
                                }
                            }
                            if (!awaitRelease(connection, answers)) {
                                return; // what was held is dropped, never delivered late
                            }
                            out.write(buf, 0, n);
                            out.flush();
                            carried += n;
                        }
                    } catch (IOException | InterruptedException e) {
                        // a side closed, or the proxy did
                    }
                },
                "proxy-" + (answers ? "answers" : "requests"));
        t.setDaemon(true);
        t.start();
    }

    /**
     * Waits while this direction of this connection is held; false once the proxy is closed. Closing
     * must not release what was held: a held acknowledgment delivered as the proxy shuts would reach
     * the gateway after the test killed the client, which is the one thing the hold exists to prevent.
     */
    private boolean awaitRelease(Socket connection, boolean answers) throws InterruptedException {
        synchronized (lock) {
            while (!closed && held(connection, answers)) {
                lock.wait();
            }
            return !closed;
        }
    }

    private boolean held(Socket connection, boolean answers) {
        if (triggeredBy == null) {
            return false;
        }
        return switch (hold) {
            case REQUESTS -> !answers;
            case OTHER_ANSWERS -> answers && (connection != triggeredBy || askedAgain);
            case ANSWERS -> answers;
        };
    }

    @Override
    public void close() throws IOException {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}

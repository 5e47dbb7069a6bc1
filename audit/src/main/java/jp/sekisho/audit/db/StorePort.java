package jp.sekisho.audit.db;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;

/**
 * Picks the embedded PostgreSQL's loopback port. The store starts before the gateway binds its
 * listeners, so on a restart (after a kill, or a clean stop) the listeners' ports are free and the
 * kernel may hand one of them out: the store would take it and the gateway could not bind its own
 * port. A listener port in the ephemeral range (a test's, or an operator's choice) is therefore
 * never taken, however often the kernel offers it.
 */
final class StorePort {

    /** A kernel that keeps offering kept ports is not believable: stop rather than loop. */
    static final int TRIES = 64;

    private StorePort() {}

    /** A port free right now on loopback and not one of {@code keptFree}. */
    static int pick(Set<Integer> keptFree) throws IOException {
        return pick(keptFree, StorePort::ephemeral);
    }

    /** As {@link #pick(Set)}, with the kernel's offers coming from {@code offers} (tests drive it). */
    static int pick(Set<Integer> keptFree, Offers offers) throws IOException {
        for (int i = 0; i < TRIES; i++) {
            int port = offers.next();
            if (!keptFree.contains(port)) {
                return port;
            }
        }
        throw new IOException("no free loopback port for the embedded PostgreSQL outside the gateway's own"
                + " listener ports " + keptFree + " after " + TRIES + " tries");
    }

    private static int ephemeral() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Where candidate ports come from. */
    @FunctionalInterface
    interface Offers {
        int next() throws IOException;
    }
}

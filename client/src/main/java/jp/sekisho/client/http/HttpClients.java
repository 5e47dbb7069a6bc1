package jp.sekisho.client.http;

import java.lang.reflect.Method;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The JDK HttpClients this process opened, so that a command can stop them as it ends. Each keeps a
 * selector thread waiting in epoll, in native code, and a JVM that exits waits for threads in native
 * code to come back, 10 ms at a time, up to 300 ms: measured here, every {@code send} and {@code
 * receive} ended ~0.3 s after its last line. {@code HttpClient.shutdownNow} (Java 21+) wakes the
 * thread and ends it; on Java 17 there is no such call and the wait remains.
 */
public final class HttpClients {

    private static final Set<HttpClient> OPEN =
            Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private HttpClients() {}

    /** Remembers a client for {@link #stopAll}; forgotten when it is collected. */
    static HttpClient opened(HttpClient client) {
        OPEN.add(client);
        return client;
    }

    /**
     * Stops every client opened so far, without waiting for exchanges in flight (the command is over).
     * Returns whether this Java could stop them: false on Java 17-20.
     */
    public static boolean stopAll() {
        Method shutdownNow;
        try {
            shutdownNow = HttpClient.class.getMethod("shutdownNow");
        } catch (NoSuchMethodException e) {
            return false;
        }
        List<HttpClient> clients;
        synchronized (OPEN) {
            clients = new ArrayList<>(OPEN);
            OPEN.clear();
        }
        for (HttpClient c : clients) {
            try {
                shutdownNow.invoke(c);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // the client is unusable either way; the JVM's own exit wait still bounds the rest
            }
        }
        return true;
    }
}

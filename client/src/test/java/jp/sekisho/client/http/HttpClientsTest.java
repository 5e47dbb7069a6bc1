package jp.sekisho.client.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A command's end stops the HttpClients it opened: on Java 21+ their selector threads end (so the
 * JVM's exit does not wait for them in epoll); on Java 17-20 the call says it could not.
 */
class HttpClientsTest {

    @Test
    void stopAllEndsTheSelectorThreadsWhereJavaCan() {
        long before = selectorThreads(); // other tests' clients, some of them not ours to stop
        HttpClient client = HttpClients.opened(HttpClient.newHttpClient());
        assertEquals(before + 1, selectorThreads(), "a new client runs a selector thread");
        boolean stopped = HttpClients.stopAll();
        if (Runtime.version().feature() >= 21) {
            assertTrue(stopped);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> selectorThreads() <= before);
        } else {
            assertFalse(stopped, "Java " + Runtime.version() + " has no HttpClient.shutdownNow");
        }
        assertEquals(stopped, HttpClients.stopAll(), "a second call is harmless");
        assertTrue(client.version() != null);
    }

    private static long selectorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().endsWith("-SelectorManager"))
                .count();
    }
}

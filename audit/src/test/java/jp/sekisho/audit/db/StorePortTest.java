package jp.sekisho.audit.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The embedded store never takes the gateway's own listener port. Seen in the crash suite: after a
 * kill -9 the restarted store was handed the dead gateway's port, and the gateway could not bind it.
 */
class StorePortTest {

    @Test
    void aKeptPortOfferedByTheKernelIsPassedOver() throws IOException {
        Iterator<Integer> offers = List.of(39461, 39461, 40000).iterator();
        assertEquals(40000, StorePort.pick(Set.of(39461), offers::next));
    }

    @Test
    void aKernelThatOffersOnlyKeptPortsEndsInAnErrorNotALoop() {
        IOException e = assertThrows(IOException.class, () -> StorePort.pick(Set.of(39461), () -> 39461));
        assertTrue(e.getMessage().contains("39461"), e.getMessage());
    }

    @Test
    void theRealPickIsFreeAndNotKept() throws IOException {
        // keep a port that is bound now: the pick is a different one, and a bindable one
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = StorePort.pick(Set.of(held.getLocalPort()));
            assertFalse(port == held.getLocalPort());
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port, s.getLocalPort());
            }
        }
    }
}

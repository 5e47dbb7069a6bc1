package jp.sekisho.client.transfer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The upload following a seal says when it is behind, which raises the seal's compression. */
class ArrivalBacklogTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void behindPastTwoMibUntilWithinHalfAMibAgain() throws IOException {
        Arrival a = new Arrival();
        a.started(0);
        assertFalse(a.behind(), "nothing written");
        a.wrote(3 * MIB);
        assertTrue(a.behind(), "3 MiB written, none read");
        a.await(2 * MIB + 700 * 1024, a.generation()); // the reader asks beyond 2.68 MiB
        assertFalse(a.behind(), "within half a MiB");
        a.wrote(4 * MIB);
        assertFalse(a.behind(), "1.3 MiB behind: not yet");
        a.wrote(5 * MIB);
        assertTrue(a.behind(), "2.3 MiB behind");
        a.await(4 * MIB - 200 * 1024, a.generation());
        assertTrue(a.behind(), "1.2 MiB behind, having been behind: still");
        a.await(4 * MIB + 600 * 1024, a.generation());
        assertFalse(a.behind(), "0.4 MiB behind: caught up");
    }

    @Test
    void aReaderThatKeepsUpIsNeverBehind() throws IOException {
        Arrival a = new Arrival();
        a.started(0);
        for (long w = 256 * 1024; w <= 64 * MIB; w += 256 * 1024) {
            a.wrote(w);
            a.await(w - 100_000, a.generation());
            assertFalse(a.behind(), "at " + w);
        }
    }

    @Test
    void aRestartStartsOver() throws IOException {
        Arrival a = new Arrival();
        a.started(0);
        a.wrote(8 * MIB);
        a.await(8 * MIB - 1, a.generation());
        a.restarted();
        a.wrote(3 * MIB);
        assertTrue(a.behind(), "the new generation's reader has read nothing yet");
    }
}

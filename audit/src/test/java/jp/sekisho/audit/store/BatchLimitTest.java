package jp.sekisho.audit.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How the writer sizes its batches: smaller while commits are slow, back to the maximum when quick. */
class BatchLimitTest {

    private static final long TIMEOUT = 2_000_000_000L;

    @Test
    void aSlowCommitHalvesTheNextBatchDownToAFloor() {
        assertEquals(1000, WriterLoop.nextBatchLimit(2000, 2000, 600_000_000L, TIMEOUT));
        int limit = 2000;
        for (int i = 0; i < 20; i++) {
            limit = WriterLoop.nextBatchLimit(limit, 2000, 3_000_000_000L, TIMEOUT);
        }
        assertEquals(50, limit, "never below 50 events");
        assertEquals(
                10, WriterLoop.nextBatchLimit(10, 10, 3_000_000_000L, TIMEOUT), "a configured maximum below 50 stays");
    }

    @Test
    void aQuickCommitDoublesItBackToTheMaximum() {
        assertEquals(100, WriterLoop.nextBatchLimit(50, 2000, 10_000_000L, TIMEOUT));
        assertEquals(2000, WriterLoop.nextBatchLimit(1600, 2000, 10_000_000L, TIMEOUT));
        assertEquals(400, WriterLoop.nextBatchLimit(400, 2000, 200_000_000L, TIMEOUT), "in between: unchanged");
    }
}

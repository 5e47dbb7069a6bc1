package jp.sekisho.audit.store;

/**
 * What callers know of the writer thread: whether the store is up, whether the log is closing, the
 * last error, and when the writer last made progress. Written by the writer (and {@code close()}),
 * read by callers deciding whether to wait or to refuse.
 */
final class WriterStatus {

    private volatile boolean available = true;
    private volatile boolean closing;
    private volatile String lastError = "";
    /**
     * When the writer last made progress: committed a batch, started the next one, found nothing to
     * write, or reconnected. Only meaningful while {@link #idle} is false.
     */
    private volatile long lastProgressNanos = System.nanoTime();
    /** True while the writer waits for events: an idle writer is never stalled. */
    private volatile boolean idle = true;

    boolean available() {
        return available;
    }

    void up() {
        available = true;
    }

    void down() {
        available = false;
    }

    /** The store did not take a write: refuse callers until the writer reconnects. */
    void down(String error) {
        available = false;
        lastError = error;
    }

    String lastError() {
        return lastError;
    }

    void lastError(String error) {
        lastError = error;
    }

    boolean closing() {
        return closing;
    }

    void closing(boolean closing) {
        this.closing = closing;
    }

    /** The writer committed a batch or reconnected. */
    void progress() {
        lastProgressNanos = System.nanoTime();
    }

    /** The writer found nothing to write. */
    void idle() {
        lastProgressNanos = System.nanoTime();
        idle = true;
    }

    /** The writer starts on a batch at {@code t0}: the stall clock runs from here. */
    void busySince(long t0) {
        lastProgressNanos = t0;
        idle = false;
    }

    /** True when the writer has been on one batch for longer than {@code timeoutNanos}. */
    boolean stalled(long timeoutNanos) {
        return !idle && System.nanoTime() - lastProgressNanos > timeoutNanos;
    }

    long sinceProgressNanos() {
        return System.nanoTime() - lastProgressNanos;
    }
}

package jp.sekisho.audit.store;

/**
 * Told of every committed batch, on the writer thread (a metrics hook: it must return at once and
 * never throw; a throw is logged and ignored).
 */
@FunctionalInterface
public interface WriteObserver {

    WriteObserver NONE = (events, nanos) -> {};

    /** A batch of {@code events} committed in {@code nanos}. */
    void written(int events, long nanos);
}

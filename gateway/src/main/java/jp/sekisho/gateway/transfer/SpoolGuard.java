package jp.sekisho.gateway.transfer;

import java.nio.file.Path;
import java.time.Duration;
import jp.sekisho.gateway.admission.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the spool folder is there now: its marker names this store's spool id. With a shared
 * mount gone every file looks missing, so while the marker is unreadable requests that touch the
 * spool are refused (503 SPOOL_UNAVAILABLE), the health endpoint says so, and recovery, sweep and
 * janitor delete nothing and end nothing as lost. Reading the marker costs a file open, so the answer
 * is kept for {@link #FRESH}; a periodic probe keeps it current and logs each change.
 */
final class SpoolGuard {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolGuard.class);

    /** How long one look at the marker is trusted. */
    static final Duration FRESH = Duration.ofSeconds(2);

    private final Path dir;
    private final String spoolId;
    private volatile boolean available = true;
    private volatile long checkedAt = System.nanoTime();

    SpoolGuard(Path dir, String spoolId) {
        this.dir = dir;
        this.spoolId = spoolId;
    }

    /** The marker as last seen, looked at again when that was more than {@link #FRESH} ago. */
    boolean available() {
        if (System.nanoTime() - checkedAt > FRESH.toNanos()) {
            return probe();
        }
        return available;
    }

    /** Reads the marker now; logs when the spool goes away or comes back. */
    synchronized boolean probe() {
        boolean now = SpoolIdentity.read(dir).map(spoolId::equals).orElse(false);
        checkedAt = System.nanoTime();
        if (now != available) {
            if (now) {
                LOG.warn("スプール {} が再び使えます / the spool {} is back: serving again", dir, dir);
            } else {
                LOG.error(
                        "スプール {} の目印ファイルが読めません。マウントを確かめてください / the spool {} is unavailable (its marker "
                                + "{} is unreadable or names another spool): refusing with SPOOL_UNAVAILABLE, deleting nothing",
                        dir,
                        dir,
                        SpoolIdentity.MARKER);
            }
            available = now;
        }
        return now;
    }

    /** Refuses with SPOOL_UNAVAILABLE unless the spool is there. */
    void require() {
        if (!available()) {
            throw unavailable();
        }
    }

    TransferProblem unavailable() {
        return new TransferProblem(
                Reason.SPOOL_UNAVAILABLE,
                "ゲートウェイのスプールが今は使えません。後で再試行してください / the gateway's spool is unavailable now; retry later");
    }
}

package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import jp.sekisho.gateway.config.SpoolLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The free space of the spool's file system: whether an upload of a known length fits (usable space
 * minus the reserve), what the gauges show, and a warning, at most once a minute, while the free
 * space is below twice the reserve. Also tells a full disk (ENOSPC) from other write errors.
 */
public final class SpoolSpace {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolSpace.class);
    private static final long WARN_EVERY_NANOS = 60_000_000_000L;

    private final Path dir;
    private final FileStore store;
    private final long reserve;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - 2 * WARN_EVERY_NANOS);

    SpoolSpace(Path dir, SpoolLimits limits) {
        this.dir = dir;
        try {
            this.store = Files.getFileStore(dir);
            this.reserve = limits.reserveOf(store.getTotalSpace());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space of the spool folder " + dir, e);
        }
    }

    /** Bytes uploads may not take. */
    public long reserve() {
        return reserve;
    }

    /** Bytes free for this process on the spool's file system now. */
    public long usable() {
        try {
            return store.getUsableSpace();
        } catch (IOException e) {
            return 0; // unreadable: count it as full rather than promise room
        }
    }

    /** Bytes held by the spool's files (uploads in progress and stored envelopes). */
    public long used() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .mapToLong(SpoolSpace::sizeOrZero)
                    .sum();
        } catch (IOException e) {
            return 0;
        }
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0; // deleted meanwhile
        }
    }

    /** Whether {@code length} more bytes fit without eating into the reserve; warns when space is low. */
    public boolean fits(long length) {
        long usable = usable();
        warnIfLow(usable);
        return usable - reserve >= length;
    }

    /** The refusal's message for an upload of {@code length} bytes that does not fit. */
    String refusal(long length) {
        long usable = usable();
        return "Upload-Length " + length + " does not fit the spool: " + Math.max(0, usable - reserve)
                + " bytes free beyond the reserve of " + reserve + " (spool.reserve)";
    }

    /** True when {@code usable} bytes are below twice the reserve: the gateway warns, the console shows it. */
    public boolean low(long usable) {
        return usable < 2 * reserve;
    }

    /** Warns (rate-limited) while the usable space is below twice the reserve. */
    void warnIfLow(long usable) {
        if (!low(usable)) {
            return;
        }
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last < WARN_EVERY_NANOS || !lastWarning.compareAndSet(last, now)) {
            return;
        }
        LOG.warn(
                "スプールの空き容量が少なくなっています: {} の空きは {} MiB（予約 {} MiB の2倍未満）。大きなアップロードは SPOOL_FULL で拒否されます。"
                        + " / the spool is filling up: {} MiB free in {}, less than twice the reserve of {} MiB; "
                        + "large uploads are refused with SPOOL_FULL. Free disk space or move data-dir to a larger disk",
                dir,
                usable >> 20,
                reserve >> 20,
                usable >> 20,
                dir,
                reserve >> 20);
    }

    /** True when {@code e} (or a cause) says the disk is full: ENOSPC, or a quota exceeded. */
    public static boolean noSpace(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 20; t = t.getCause() == t ? null : t.getCause(), depth++) {
            String m = t instanceof FileSystemException f && f.getReason() != null ? f.getReason() : t.getMessage();
            if (t instanceof IOException && m != null) {
                String lower = m.toLowerCase(Locale.ROOT);
                if (lower.contains("no space left on device") || lower.contains("disk quota exceeded")) {
                    return true;
                }
            }
        }
        return false;
    }
}

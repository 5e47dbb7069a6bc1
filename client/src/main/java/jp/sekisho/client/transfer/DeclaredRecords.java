package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import jp.sekisho.cli.CliException;

/**
 * How many records a send declares, which the gateway checks against the approval: a CSV's lines
 * after its header (whose columns are checked against the route's data items first), or
 * {@code --records N} for anything else. Both given must agree.
 *
 * <p>Counting reads the whole file before the upload can start (~30 ms for the 61 MB benefit file
 * when warm, over 100 ms in a fresh JVM), so {@link #countAhead} starts it on its own thread while the
 * route's terms are fetched, which a first TLS handshake makes the longer of the two.
 */
final class DeclaredRecords {

    /** Below this a count takes well under a millisecond: no thread. */
    static final long AHEAD_MIN_BYTES = 1 << 20;

    private DeclaredRecords() {}

    /** A count started early, or to be done when asked. */
    static final class Count {
        private final Path source;
        private final FutureTask<Long> ahead; // null: count when asked

        private Count(Path source, FutureTask<Long> ahead) {
            this.source = source;
            this.ahead = ahead;
        }

        long get() throws IOException {
            if (ahead == null) {
                return CsvFile.countRecords(source);
            }
            try {
                return ahead.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while counting the records of " + source);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof UncheckedIOException u) {
                    throw u.getCause();
                }
                throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
            }
        }

        /** Whether the count runs on its own thread (for tests). */
        boolean ahead() {
            return ahead != null;
        }

        /** Stops a count no longer wanted (the terms refused the send): it reads no further. */
        void cancel() {
            if (ahead != null) {
                ahead.cancel(true);
            }
        }
    }

    static boolean isCsv(Path source, boolean forcedCsv, boolean encrypted) {
        return !encrypted
                && (forcedCsv
                        || source.getFileName()
                                .toString()
                                .toLowerCase(Locale.ROOT)
                                .endsWith(".csv"));
    }

    /**
     * Starts counting a CSV of at least {@value #AHEAD_MIN_BYTES} bytes on a daemon thread; anything
     * else is counted, or not, by {@link #of} as before.
     */
    static Count countAhead(Path source, boolean forcedCsv, boolean encrypted) {
        if (!isCsv(source, forcedCsv, encrypted)) {
            return new Count(source, null);
        }
        long size;
        try {
            size = Files.size(source);
        } catch (IOException e) {
            return new Count(source, null); // of() reports it where it always did
        }
        if (size < AHEAD_MIN_BYTES) {
            return new Count(source, null);
        }
        FutureTask<Long> task = new FutureTask<>(() -> {
            try {
                return CsvFile.countRecords(source);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Thread t = new Thread(task, "sekisho-count-records");
        t.setDaemon(true);
        t.start();
        return new Count(source, task);
    }

    /**
     * @param count     the file's record count, begun by {@link #countAhead} with the same flags
     * @param forcedCsv the file is read as CSV whatever its name ({@code --csv} or an items map, plain input only)
     * @param encrypted the input is an envelope sealed elsewhere ({@code --encrypted}), never read as CSV
     * @param given     {@code --records}, or null
     */
    static long of(
            Path source,
            Count count,
            boolean forcedCsv,
            boolean encrypted,
            Long given,
            ItemsMap map,
            TextEncoding encoding,
            RouteTerms terms) {
        if (!isCsv(source, forcedCsv, encrypted)) {
            if (given == null) {
                throw CliException.usage("--records N is required for "
                        + (encrypted ? "--encrypted" : "a file that is not CSV")
                        + " (the gateway checks it against the approval)");
            }
            if (given < 0) {
                throw CliException.usage("--records must be 0 or more");
            }
            return given;
        }
        try {
            map.check(CsvFile.header(source, encoding), terms);
            long counted = count.get();
            if (given != null && given != counted) {
                throw CliException.usage("--records " + given + " but " + source + " holds " + counted
                        + " records (lines after the header)");
            }
            return counted;
        } catch (IOException e) {
            throw CliException.usage("cannot read " + source + ": " + e.getMessage());
        }
    }
}

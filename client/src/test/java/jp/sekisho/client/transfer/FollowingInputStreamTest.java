package jp.sekisho.client.transfer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reader that follows a partial file while a download appends to it. */
class FollowingInputStreamTest {

    @TempDir
    Path dir;

    /**
     * A reader on a thread of its own, so the test can see where that thread is: {@code read} holds
     * what it returned (or the exception it ended with), {@code taken} the bytes it got so far.
     */
    private static final class Reader {
        final CompletableFuture<byte[]> read = new CompletableFuture<>();
        final AtomicLong taken = new AtomicLong();
        final Thread thread;

        Reader(InputStream stream) {
            thread = new Thread(
                    () -> {
                        try (InputStream in = stream) {
                            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                            byte[] buf = new byte[8192];
                            int n;
                            while ((n = in.read(buf)) >= 0) {
                                out.write(buf, 0, n);
                                taken.addAndGet(n);
                            }
                            read.complete(out.toByteArray());
                        } catch (Throwable e) {
                            read.completeExceptionally(e);
                        }
                    },
                    "following-reader");
            thread.setDaemon(true);
            thread.start();
        }

        /**
         * True while the reader is parked in {@link Arrival#await}, waiting for the download to publish
         * more (not just taking the lock, not reading the file).
         */
        boolean waitingForTheDownload() {
            if (thread.getState() != Thread.State.WAITING) {
                return false;
            }
            StackTraceElement[] stack = thread.getStackTrace();
            boolean inCondition = false;
            for (StackTraceElement f : stack) {
                if (f.getMethodName().equals("await") && f.getClassName().endsWith("ConditionObject")) {
                    inCondition = true;
                }
                if (inCondition
                        && f.getClassName().equals(Arrival.class.getName())
                        && f.getMethodName().equals("await")) {
                    return true;
                }
            }
            return false;
        }

        /** Waits until the reader took {@code bytes} and is blocked for more; fails at once if it ended. */
        void awaitBlockedAfter(long bytes) {
            await("the reader took " + bytes + " bytes and waits for more")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(5))
                    .failFast("the reader ended before the download did", read::isDone)
                    .until(() -> taken.get() == bytes && waitingForTheDownload());
        }
    }

    @Test
    void readsTheBytesOnDiskFirstThenEachWriteAndEndsWhenTheDownloadCompleted() throws Exception {
        Path file = dir.resolve("p.cms");
        byte[] all = new byte[300_000];
        new java.util.Random(1).nextBytes(all);
        Files.write(file, Arrays.copyOf(all, 1000)); // from an earlier run
        Arrival arrival = new Arrival();
        arrival.started(1000);
        Reader reader = new Reader(new FollowingInputStream(file, arrival, arrival.generation()));
        reader.awaitBlockedAfter(1000); // what was on disk, and no further: the rest is not published yet

        for (int at = 1000; at < all.length; at += 50_000) {
            int end = Math.min(all.length, at + 50_000);
            Files.write(file, Arrays.copyOfRange(all, at, end), StandardOpenOption.APPEND);
            arrival.wrote(end);
            reader.awaitBlockedAfter(end); // each write is read as soon as it is published
        }
        // every byte of the file is read, yet the reader waits: the download has not said it is complete
        assertFalse(reader.read.isDone(), "waits for the download's end, not for the file's");

        arrival.finished();
        assertArrayEquals(all, reader.read.get(10, TimeUnit.SECONDS));
    }

    /** The receive's download hash: handed over by a reader that read every byte to the download's end, by no other. */
    @Test
    void aHashingReaderHandsOverTheWholeFilesSha256OnlyAtTheDownloadsEnd() throws Exception {
        Path file = dir.resolve("h.cms");
        byte[] all = new byte[200_000];
        new java.util.Random(2).nextBytes(all);
        Files.write(file, Arrays.copyOf(all, 5000)); // from an earlier run: hashed too
        Arrival arrival = new Arrival();
        arrival.started(5000);
        java.util.concurrent.atomic.AtomicReference<String> whole = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<String> partOnly =
                new java.util.concurrent.atomic.AtomicReference<>();
        FollowingInputStream stopsEarly =
                new FollowingInputStream(file, arrival, arrival.generation()).hashing(partOnly::set);
        assertEquals(5000, stopsEarly.readNBytes(5000).length);
        stopsEarly.close(); // a reader that stops before the end (a refused envelope) hands nothing over

        Reader reader = new Reader(new FollowingInputStream(file, arrival, arrival.generation()).hashing(whole::set));
        reader.awaitBlockedAfter(5000);
        Files.write(file, Arrays.copyOfRange(all, 5000, all.length), StandardOpenOption.APPEND);
        arrival.wrote(all.length);
        reader.awaitBlockedAfter(all.length);
        assertEquals(null, whole.get(), "every byte read, but the download has not said it ended");
        arrival.finished();
        assertArrayEquals(all, reader.read.get(10, TimeUnit.SECONDS));
        assertEquals(
                java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(all)),
                whole.get());
        assertEquals(null, partOnly.get());
        assertThrows(
                IllegalStateException.class,
                () -> new FollowingInputStream(file, arrival, arrival.generation(), 10).hashing(whole::set),
                "a hash of the whole file cannot start past its first byte");
    }

    @Test
    void aFailedDownloadWakesAWaitingReaderWithItsReason() throws Exception {
        Path file = dir.resolve("f.cms");
        Arrival arrival = new Arrival();
        arrival.started(0);
        Reader reader = new Reader(new FollowingInputStream(file, arrival, arrival.generation()));
        reader.awaitBlockedAfter(0); // blocked before the failure, so it is the failure that wakes it

        arrival.failed(new IllegalStateException("gateway gone"));
        var e = assertThrows(
                java.util.concurrent.ExecutionException.class, () -> reader.read.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IOException, String.valueOf(e.getCause()));
        assertTrue(
                e.getCause().getMessage().contains("gateway gone"), e.getCause().getMessage());
    }

    @Test
    void aRestartFromTheFirstByteVoidsWhatTheReaderOfTheOldDownloadTook() throws Exception {
        Path file = dir.resolve("r.cms");
        Files.write(file, new byte[100]);
        Arrival arrival = new Arrival();
        arrival.started(100);
        InputStream old = new FollowingInputStream(file, arrival, arrival.generation());
        assertEquals(100, old.read(new byte[200]));
        arrival.restarted();
        IOException e = assertThrows(IOException.class, () -> old.read(new byte[200]));
        assertTrue(e.getMessage().contains("started over"), e.getMessage());
        old.close();
    }
}

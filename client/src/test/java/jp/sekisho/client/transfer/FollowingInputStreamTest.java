package jp.sekisho.client.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reader that follows a partial file while a download appends to it. */
class FollowingInputStreamTest {

    @TempDir
    Path dir;

    @Test
    void readsTheBytesOnDiskFirstThenEachWriteAndEndsWhenTheDownloadCompleted() throws Exception {
        Path file = dir.resolve("p.cms");
        byte[] all = new byte[300_000];
        new java.util.Random(1).nextBytes(all);
        Files.write(file, Arrays.copyOf(all, 1000)); // from an earlier run
        Arrival arrival = new Arrival();
        arrival.started(1000);
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = new FollowingInputStream(file, arrival, arrival.generation())) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        for (int at = 1000; at < all.length; at += 50_000) {
            int end = Math.min(all.length, at + 50_000);
            Files.write(file, Arrays.copyOfRange(all, at, end), StandardOpenOption.APPEND);
            arrival.wrote(end);
            Thread.sleep(5);
        }
        Thread.sleep(50);
        assertTrue(!read.isDone(), "waits for the download's end, not for the file's");
        arrival.finished();
        assertArrayEquals(all, read.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aFailedDownloadWakesAWaitingReaderWithItsReason() throws Exception {
        Path file = dir.resolve("f.cms");
        Arrival arrival = new Arrival();
        arrival.started(0);
        CompletableFuture<IOException> read = CompletableFuture.supplyAsync(() -> assertThrows(IOException.class, () -> {
            try (InputStream in = new FollowingInputStream(file, arrival, arrival.generation())) {
                in.readAllBytes();
            }
        }));
        Thread.sleep(50);
        arrival.failed(new IllegalStateException("gateway gone"));
        assertTrue(read.get(10, TimeUnit.SECONDS).getMessage().contains("gateway gone"));
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

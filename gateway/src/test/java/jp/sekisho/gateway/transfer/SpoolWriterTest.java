package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The spool writer, with O_DIRECT and through the page cache: whatever the sizes of the pieces and
 * wherever the syncs, cut-backs and reopenings fall, the file holds exactly the bytes taken and
 * the running check hashes exactly them.
 */
class SpoolWriterTest {

    /** Under target/ (the project's disk): /tmp may be a tmpfs, which refuses O_DIRECT. */
    static final Path DIR = Path.of("target", "spool-writer-test");

    static ExecutorService writer;
    static ExecutorService writeback;

    @BeforeAll
    static void start() throws IOException {
        Files.createDirectories(DIR);
        writer = Executors.newCachedThreadPool();
        writeback = Executors.newFixedThreadPool(1);
    }

    @AfterAll
    static void stop() {
        writer.shutdown();
        writeback.shutdown();
    }

    private static SpoolWriter open(Path file, boolean direct, long offset, RunningCheck running) throws IOException {
        return open(file, direct, offset, running, writer);
    }

    private static SpoolWriter open(Path file, boolean direct, long offset, RunningCheck running, Executor tasks)
            throws IOException {
        if (direct) {
            assumeTrue(new Spool(DIR).directIo(), "this file system refuses O_DIRECT");
        }
        FileChannel ch =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        ch.truncate(offset);
        FileChannel d = direct ? FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT) : null;
        return new SpoolWriter(ch, d, offset, running, tasks, writeback);
    }

    /** Writes {@code data[from, to)} in pieces of random sizes (heap and direct buffers). */
    private static void write(SpoolWriter w, byte[] data, int from, int to, Random r) throws IOException {
        int i = from;
        while (i < to) {
            int n = Math.min(to - i, r.nextInt(3) == 0 ? 1 + r.nextInt(100) : 1 + r.nextInt(3 * SpoolWriter.BUFFER));
            ByteBuffer b = r.nextBoolean()
                    ? ByteBuffer.wrap(data, i, n)
                    : ByteBuffer.allocateDirect(n).put(data, i, n).flip();
            w.write(b);
            assertEquals(0, b.remaining(), "write takes every byte");
            i += n;
        }
    }

    private static String sha256(byte[] data, int length) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(data, 0, length);
        return HexFormat.of().formatHex(md.digest());
    }

    private static void assertFile(Path file, byte[] data, int length) throws IOException {
        byte[] got = Files.readAllBytes(file);
        assertEquals(length, got.length, "file length");
        assertArrayEquals(Arrays.copyOf(data, length), got, "file content");
    }

    @ParameterizedTest(name = "direct I/O {0}")
    @ValueSource(booleans = {true, false})
    void bytesAndCheckAreExactThroughSyncsAndReopenings(boolean direct) throws Exception {
        Random r = new Random(direct ? 1 : 2);
        byte[] data = new byte[9 * SpoolWriter.BUFFER + 12_345];
        r.nextBytes(data);
        Path file = DIR.resolve("exact-" + direct);
        RunningCheck running = new RunningCheck();
        int at = 0;
        // PATCH by PATCH, each ending at an unaligned offset, then the next one reopening there
        for (int end : new int[] {5_000, 5_001, SpoolWriter.BUFFER, 3 * SpoolWriter.BUFFER + 4_095, data.length}) {
            try (SpoolWriter w = open(file, direct, at, running)) {
                int mid = at + (end - at) / 2;
                write(w, data, at, mid, r);
                w.sync(); // a sync in the middle of a PATCH changes nothing
                assertFile(file, data, mid);
                write(w, data, mid, end, r);
                w.sync();
                assertFile(file, data, end);
                running = w.running();
                assertEquals(end, running.covered());
                at = end;
            }
        }
        assertEquals(sha256(data, data.length), running.hex());
    }

    @ParameterizedTest(name = "direct I/O {0}")
    @ValueSource(booleans = {true, false})
    void aCutBackChunkIsGoneFromFileAndCheck(boolean direct) throws Exception {
        Random r = new Random(3);
        byte[] data = new byte[4 * SpoolWriter.BUFFER + 777];
        r.nextBytes(data);
        byte[] junk = new byte[2 * SpoolWriter.BUFFER + 99];
        r.nextBytes(junk);
        Path file = DIR.resolve("cut-" + direct);
        int durable = SpoolWriter.BUFFER + 10;
        try (SpoolWriter w = open(file, direct, 0, new RunningCheck())) {
            write(w, data, 0, durable, r);
            w.sync();
            RunningCheck before = w.running().copy();
            write(w, junk, 0, junk.length, r); // a chunk whose checksum turns out wrong
            w.cutBack(durable, before);
            assertFile(file, data, durable);
            write(w, data, durable, data.length, r);
            w.sync();
            assertFile(file, data, data.length);
            assertEquals(sha256(data, data.length), w.running().hex());
        }
    }

    @ParameterizedTest(name = "direct I/O {0}")
    @ValueSource(booleans = {true, false})
    void aWriteErrorIsReportedAndTheCheckDropped(boolean direct) throws Exception {
        if (direct) {
            assumeTrue(new Spool(DIR).directIo(), "this file system refuses O_DIRECT");
        }
        Path file = DIR.resolve("error-" + direct);
        FileChannel ch =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel d = direct ? FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT) : null;
        SpoolWriter w = new SpoolWriter(ch, d, 0, new RunningCheck(), writer, writeback);
        byte[] data = new byte[3 * SpoolWriter.BUFFER];
        write(w, data, 0, SpoolWriter.BUFFER / 2, new Random(4));
        ch.close(); // the file is gone from under the writer: every later write fails
        if (d != null) {
            d.close();
        }
        assertThrows(IOException.class, () -> {
            write(w, data, 0, data.length, new Random(5));
            w.sync();
        });
        assertNull(w.running(), "a check that may not match the file is dropped");
        assertThrows(IOException.class, w::sync, "the failure stays");
        w.close();
    }

    @ParameterizedTest(name = "direct I/O {0}")
    @ValueSource(booleans = {true, false})
    void manyWritersSideBySide(boolean direct) throws Exception {
        Random r = new Random(6);
        byte[] data = new byte[6 * SpoolWriter.BUFFER + 3];
        r.nextBytes(data);
        Thread[] threads = new Thread[4];
        Throwable[] failed = new Throwable[threads.length];
        for (int t = 0; t < threads.length; t++) {
            int n = t;
            threads[t] = new Thread(() -> {
                try (SpoolWriter w = open(DIR.resolve("many-" + direct + n), direct, 0, new RunningCheck())) {
                    write(w, data, 0, data.length, new Random(n));
                    w.sync();
                    assertEquals(sha256(data, data.length), w.running().hex());
                    assertFile(DIR.resolve("many-" + direct + n), data, data.length);
                } catch (Throwable e) {
                    failed[n] = e;
                }
            });
            threads[t].start();
        }
        for (int t = 0; t < threads.length; t++) {
            threads[t].join();
            if (failed[t] != null) {
                throw new AssertionError("writer " + t, failed[t]);
            }
        }
    }

    /**
     * The event loop never waits for the disk: with the writer tasks held, write() still takes
     * more than IN_FLIGHT full buffers at once, hasRoom() turns false, and whenRoom() fires once
     * the tasks run again.
     */
    @ParameterizedTest(name = "direct I/O {0}")
    @ValueSource(booleans = {true, false})
    void aFullWriterTakesMoreAtOnceAndSaysWhenItHasRoom(boolean direct) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Executor held = task -> writer.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            task.run();
        });
        byte[] data = new byte[7 * SpoolWriter.BUFFER + 5];
        new Random(7).nextBytes(data);
        Path file = DIR.resolve("held-" + direct);
        try (SpoolWriter w = open(file, direct, 0, new RunningCheck(), held)) {
            AtomicInteger ranAtOnce = new AtomicInteger();
            w.whenRoom(ranAtOnce::incrementAndGet);
            assertEquals(1, ranAtOnce.get(), "with a slot free, whenRoom runs at once");
            assertTimeoutPreemptively(
                    Duration.ofSeconds(10),
                    () -> {
                        for (int i = 0; i < data.length; i += SpoolWriter.BUFFER) {
                            w.write(ByteBuffer.wrap(data, i, Math.min(SpoolWriter.BUFFER, data.length - i)));
                        }
                    },
                    "write() waited for the held writer");
            assertFalse(w.hasRoom(), "seven buffers handed off, none done");
            CountDownLatch room = new CountDownLatch(1);
            AtomicInteger fired = new AtomicInteger();
            w.whenRoom(() -> {
                fired.incrementAndGet();
                room.countDown();
            });
            assertEquals(0, fired.get(), "no slot is free yet");
            release.countDown();
            assertTrue(room.await(10, TimeUnit.SECONDS), "whenRoom fires once the writer runs");
            w.sync();
            assertTrue(w.hasRoom());
            assertEquals(1, fired.get(), "whenRoom runs its task once");
            assertFile(file, data, data.length);
            assertEquals(sha256(data, data.length), w.running().hex());
        }
    }
}

package jp.sekisho.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The opened file is flushed early on its own thread, loses nothing, and reports a failed flush. */
class WriteBehindFileTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void aLargeFileIsFlushedWhileWrittenAndKeepsEveryByte() throws Exception {
        Path f = dir.resolve("opened.part");
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024 + 7]; // not a divisor of the flush interval
        Random r = new Random(18);
        WriteBehindFile out = WriteBehindFile.open(f, MIB, ch -> ch.force(false));
        try (out) {
            for (int i = 0; i < 320; i++) {
                r.nextBytes(buf);
                expected.update(buf);
                out.write(buf, 0, buf.length);
            }
        }
        assertTrue(out.flushes() >= 1, "flushed while written: " + out.flushes());
        assertEquals(320L * buf.length, Files.size(f));
        assertArrayEquals(
                expected.digest(), MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @Test
    void aSmallFileStartsNoThread() throws Exception {
        Path f = dir.resolve("small.part");
        WriteBehindFile out = WriteBehindFile.open(f);
        try (out) {
            out.write("会計年度,氏名\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.write('x');
        }
        assertFalse(out.startedThread());
        assertEquals("会計年度,氏名\nx", Files.readString(f));
    }

    @Test
    void theWriterNeverWaitsForAFlushAndOnlyOneIsAsked() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            CountDownLatch release = new CountDownLatch(1);
            WriteBehindFile out = WriteBehindFile.open(dir.resolve("slow-disk.part"), MIB, ch -> {
                try {
                    release.await(); // a disk that takes its time: the writer goes on meanwhile
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            });
            byte[] buf = new byte[(int) MIB];
            for (int i = 0; i < 16; i++) {
                out.write(buf, 0, buf.length);
            }
            release.countDown();
            out.close();
            assertEquals(1, out.flushes(), "requests while one runs are folded into the next");
            assertEquals(16 * MIB, Files.size(dir.resolve("slow-disk.part")));
        });
    }

    @Test
    void aFailedEarlyFlushIsThrownByClose() throws Exception {
        // Linux reports a write-back error to one fsync only: the caller's later fsync might pass
        WriteBehindFile out = WriteBehindFile.open(dir.resolve("eio.part"), MIB, ch -> {
            throw new IOException("Input/output error");
        });
        out.write(new byte[(int) (2 * MIB)], 0, (int) (2 * MIB));
        IOException e = assertThrows(IOException.class, out::close);
        assertTrue(
                e.getMessage().contains("eio.part") && e.getMessage().contains("Input/output error"), e.getMessage());
        assertThrows(IOException.class, () -> out.write(1));
    }

    @Test
    void theTemporaryFileKeepsItsOwnerOnlyPermissions() throws Exception {
        Path f = Files.createTempFile(
                dir,
                ".payroll.csv.",
                ".part",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (WriteBehindFile out = WriteBehindFile.open(f)) {
            out.write(new byte[1024], 0, 1024);
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }
}

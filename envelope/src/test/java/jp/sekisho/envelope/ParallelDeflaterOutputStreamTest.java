package jp.sekisho.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The parallel deflater writes one zlib stream that stock zlib inflates, checksum included. */
class ParallelDeflaterOutputStreamTest {

    private static final int B = ParallelDeflaterOutputStream.BLOCK;

    /** Rows like the residents CSV: repetitive enough to compress, varied enough to need the window. */
    private static byte[] csv(int size, long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(size + 200);
        int row = 0;
        while (sb.length() < size) {
            sb.append(row++)
                    .append(",久留米市")
                    .append(r.nextInt(90000) + 10000)
                    .append(",山田 太郎,1970-0")
                    .append(1 + r.nextInt(9))
                    .append("-1")
                    .append(r.nextInt(10))
                    .append(",")
                    .append(r.nextInt(1_000_000))
                    .append('\n');
        }
        return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.UTF_8), size);
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] compress(byte[] data, int level, int threads, int writeSize) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream z = new ParallelDeflaterOutputStream(sink, level, threads)) {
            for (int off = 0; off < data.length; off += writeSize) {
                int n = Math.min(writeSize, data.length - off);
                if (n == 1) {
                    z.write(data[off]);
                } else {
                    z.write(data, off, n);
                }
            }
        }
        return sink.toByteArray();
    }

    /** Inflates as zlib does, and insists that the whole input, Adler-32 trailer included, was used. */
    private static byte[] inflate(byte[] zlib) throws DataFormatException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(zlib);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new DataFormatException("the stream ends before its end");
                }
                out.write(buf, 0, n);
            }
            assertEquals(0, inflater.getRemaining(), "bytes after the zlib stream");
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100, B - 1, B, B + 1, 2 * B, 5 * B + 12345})
    void everySizeRoundTripsOnOneTwoAndThreeThreads(int size) throws Exception {
        byte[] text = csv(size, size);
        byte[] noise = random(size, size);
        for (int threads = 1; threads <= 3; threads++) {
            assertArrayEquals(text, inflate(compress(text, 1, threads, 16 * 1024)), "csv, threads " + threads);
            assertArrayEquals(noise, inflate(compress(noise, 6, threads, 7777)), "random, threads " + threads);
        }
    }

    @Test
    void writesOfOneByteAndOfManyBlocksAtOnceGiveTheSameStream() throws Exception {
        byte[] text = csv(3 * B + 999, 7);
        byte[] small = compress(text, 1, 2, 1);
        byte[] large = compress(text, 1, 2, text.length);
        assertArrayEquals(small, large, "the output depends on the bytes, not on how they were written");
        assertArrayEquals(text, inflate(small));
    }

    @Test
    void eachLevelWritesTheHeaderZlibItselfWrites() {
        for (int level = 1; level <= 9; level++) {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            try (DeflaterOutputStream z = new DeflaterOutputStream(sink, new Deflater(level))) {
                z.write(1);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            byte[] zlib = Arrays.copyOf(sink.toByteArray(), 2);
            assertArrayEquals(zlib, ParallelDeflaterOutputStream.zlibHeader(level), "level " + level);
        }
    }

    @Test
    void aWrongChecksumIsRefusedByTheInflater() throws Exception {
        // the trailer is really checked: so the one we write is really right
        byte[] text = csv(3 * B, 3);
        byte[] z = compress(text, 1, 2, 8192);
        z[z.length - 1] ^= 1;
        assertThrows(DataFormatException.class, () -> inflate(z));
    }

    @Test
    void theRatioStaysWithinAPercentOfOneDeflater() throws Exception {
        byte[] text = csv(8 * 1024 * 1024, 11);
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(serial, new Deflater(1), 16 * 1024)) {
            z.write(text);
        }
        byte[] parallel = compress(text, 1, 2, 16 * 1024);
        assertTrue(
                parallel.length <= serial.size() * 1.01,
                "parallel " + parallel.length + " bytes against one deflater's " + serial.size());
        assertArrayEquals(text, new InflaterInputStream(new ByteArrayInputStream(parallel)).readAllBytes());
    }

    @Test
    void aFailingSinkIsThrownToTheWriterAndLeavesNoDeflatingThread() throws Exception {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("disk full");
            }
        };
        byte[] text = csv(20 * B, 5);
        IOException e = assertThrows(IOException.class, () -> {
            try (OutputStream z = new ParallelDeflaterOutputStream(broken, 1, 2)) {
                z.write(text);
            }
        });
        assertEquals("disk full", e.getMessage());
        org.awaitility.Awaitility.await("no deflating thread outlives its stream")
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> deflatingThreads() == 0);
    }

    @Test
    void oneBlockOrLessStartsNoThread() throws Exception {
        long before = deflatingThreads();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream z = new ParallelDeflaterOutputStream(sink, 1, 4)) {
            z.write(csv(B, 1));
            assertTrue(deflatingThreads() <= before, "a thread started for one block");
        }
        assertTrue(deflatingThreads() <= before, "a thread started for one block");
        assertArrayEquals(csv(B, 1), inflate(sink.toByteArray()));
    }

    @Test
    void writingAfterCloseIsAnError() throws Exception {
        OutputStream z = new ParallelDeflaterOutputStream(new ByteArrayOutputStream(), 1, 2);
        z.close();
        z.close(); // twice is fine
        assertThrows(IOException.class, () -> z.write(1));
    }

    private static long deflatingThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("sekisho-deflate-"))
                .count();
    }

    /** A sink as slow as a thin link: every write waits. */
    private static final class SlowSink extends ByteArrayOutputStream {
        private final long millisPerWrite;

        SlowSink(long millisPerWrite) {
            this.millisPerWrite = millisPerWrite;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            try {
                Thread.sleep(millisPerWrite);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.write(b, off, len);
        }
    }

    @Test
    void behindASlowLinkTheBlocksRiseToTheHigherLevelAndStillInflate() throws Exception {
        byte[] text = csv(40 * B, 21);
        SlowSink slow = new SlowSink(15);
        ParallelDeflaterOutputStream z = new ParallelDeflaterOutputStream(slow, 1, 6, 2, null);
        try (z) {
            for (int off = 0; off < text.length; off += 16 * 1024) {
                z.write(text, off, Math.min(16 * 1024, text.length - off));
            }
        }
        byte[] adapted = slow.toByteArray();
        byte[] levelOne = compress(text, 1, 2, 16 * 1024);
        assertTrue(z.blocksAtMaxLevel() > 20, z.blocksAtMaxLevel() + " of 40 blocks at level 6");
        assertTrue(
                adapted.length < levelOne.length * 0.95,
                "adapted " + adapted.length + " bytes against level 1's " + levelOne.length);
        assertArrayEquals(text, inflate(adapted));
    }

    @Test
    void aFixedLevelNeverAdapts() throws Exception {
        byte[] text = csv(12 * B, 22);
        SlowSink slow = new SlowSink(15);
        ParallelDeflaterOutputStream z = new ParallelDeflaterOutputStream(slow, 1, 2);
        try (z) {
            z.write(text);
        }
        assertEquals(0, z.blocksAtMaxLevel());
        assertArrayEquals(compress(text, 1, 2, 16 * 1024), slow.toByteArray(), "the same bytes as level 1 anywhere");
    }

    @Test
    void levelsOutsideZlibsAreRefused() {
        OutputStream sink = new ByteArrayOutputStream();
        assertThrows(IllegalArgumentException.class, () -> new ParallelDeflaterOutputStream(sink, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ParallelDeflaterOutputStream(sink, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new ParallelDeflaterOutputStream(sink, 6, 1, 2, null));
        assertThrows(IllegalArgumentException.class, () -> new ParallelDeflaterOutputStream(sink, 1, 10, 2, null));
        assertThrows(IllegalArgumentException.class, () -> new ParallelDeflaterOutputStream(sink, 1, 0));
    }

    @Test
    void anUploadThatSaysItIsBehindRaisesTheLevelAndOneThatKeepsUpDoesNot() throws Exception {
        byte[] text = csv(24 * B, 23);
        ByteArrayOutputStream keepsUp = new ByteArrayOutputStream();
        ParallelDeflaterOutputStream never = new ParallelDeflaterOutputStream(keepsUp, 1, 6, 2, () -> false);
        try (never) {
            never.write(text);
        }
        assertEquals(0, never.blocksAtMaxLevel());
        assertArrayEquals(compress(text, 1, 2, 16 * 1024), keepsUp.toByteArray());

        ByteArrayOutputStream behindSink = new ByteArrayOutputStream();
        ParallelDeflaterOutputStream behind = new ParallelDeflaterOutputStream(behindSink, 1, 6, 2, () -> true);
        try (behind) {
            behind.write(text);
        }
        // the first blocks go before any is written (and asked about); the rest at level 6
        assertTrue(behind.blocksAtMaxLevel() >= 24 - 2 * 2 - 1, behind.blocksAtMaxLevel() + " of 24 blocks at level 6");
        assertTrue(behindSink.size() < keepsUp.size() * 0.9, behindSink.size() + " against " + keepsUp.size());
        assertArrayEquals(text, inflate(behindSink.toByteArray()));
    }
}

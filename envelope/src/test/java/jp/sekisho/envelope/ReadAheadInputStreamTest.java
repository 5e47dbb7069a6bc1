package jp.sekisho.envelope;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReadAheadInputStreamTest {

    @Test
    void allBytesInOrderThenEnd() throws IOException {
        byte[] data = new byte[3 * ReadAheadInputStream.BUFFER_SIZE * ReadAheadInputStream.BUFFERS + 777];
        new Random(3).nextBytes(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data), "test-read-ahead")) {
            byte[] buf = new byte[10_007];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
            assertEquals(-1, in.read(), "the end stays the end");
        }
        assertArrayEquals(data, out.toByteArray());
    }

    /** The pool grows as the reader needs it: a small envelope allocates one buffer, a large one never more than the pool. */
    @Test
    void buffersAreAllocatedAsNeededUpToThePool() throws IOException {
        ReadAheadInputStream small =
                new ReadAheadInputStream(new ByteArrayInputStream(new byte[200_000]), "test-small");
        assertEquals(200_000, small.readAllBytes().length);
        small.close();
        assertEquals(1, small.buffersAllocated());

        byte[] data = new byte[3 * ReadAheadInputStream.BUFFER_SIZE * ReadAheadInputStream.BUFFERS];
        ReadAheadInputStream large = new ReadAheadInputStream(new ByteArrayInputStream(data), "test-large");
        try (InputStream in = large) {
            // nobody reads: the reader fills the whole pool, then waits for a buffer back
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> large.buffersAllocated() == ReadAheadInputStream.BUFFERS);
            assertEquals(data.length, in.readAllBytes().length);
        }
        assertEquals(ReadAheadInputStream.BUFFERS, large.buffersAllocated(), "never more than the pool");
    }

    /** A decryptor reports a tag mismatch at its end: the reader must see that very exception, after the bytes before it. */
    @Test
    void aFailureArrivesAfterTheBytesBeforeItAsTheSameException() throws IOException {
        IOException boom = new IOException("tag mismatch");
        @SuppressWarnings("InputStreamSlowMultibyteRead") // 1000 bytes: speed does not matter here
        InputStream failing = new InputStream() {
            int left = 1000;

            @Override
            public int read() throws IOException {
                if (left-- > 0) {
                    return 7;
                }
                throw boom;
            }
        };
        try (InputStream in = new ReadAheadInputStream(failing, "test-read-ahead")) {
            byte[] got = new byte[1000];
            int n = 0;
            while (n < got.length) {
                n += in.read(got, n, got.length - n);
            }
            assertEquals(7, got[999]);
            assertSame(boom, assertThrows(IOException.class, in::read));
        }
    }

    /** Gives {@code first} bytes, then blocks until {@link #open} before giving the rest. */
    private static final class GatedStream extends InputStream {
        private final ByteArrayInputStream data;
        private final int first;
        private final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        private int given;

        GatedStream(byte[] bytes, int first) {
            this.data = new ByteArrayInputStream(bytes);
            this.first = first;
        }

        void open() {
            gate.countDown();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (given >= first) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            } else {
                len = Math.min(len, first - given);
            }
            int n = data.read(b, off, len);
            given += Math.max(0, n);
            return n;
        }
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @Test
    void aReaderInterruptedWhileWaitingLeavesTheStreamWholeForTheNext() throws Exception {
        int b = ReadAheadInputStream.BUFFER_SIZE;
        byte[] data = random(30 * b + 123);
        GatedStream source = new GatedStream(data, b);
        ReadAheadInputStream in = new ReadAheadInputStream(source, "test-read-ahead");
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        Throwable[] seen = new Throwable[1];
        Thread first = new Thread(() -> {
            try {
                byte[] chunk = new byte[b];
                int n = 0;
                while (n < b) {
                    n += in.read(chunk, n, b - n);
                }
                got.write(chunk, 0, n);
                in.read(); // waits on the gate, and is interrupted there
            } catch (Throwable t) {
                seen[0] = t;
            }
        });
        first.start();
        org.awaitility.Awaitility.await("the first reader waits on the gate")
                .atMost(java.time.Duration.ofSeconds(30))
                .until(() -> first.getState() == Thread.State.WAITING && got.size() >= b);
        first.interrupt();
        first.join();
        assertEquals(java.io.InterruptedIOException.class, seen[0].getClass());
        source.open();
        got.write(in.readAllBytes()); // the next reader: every later byte once, in order
        in.close();
        assertArrayEquals(data, got.toByteArray());
    }

    @Test
    void stopEndsTheThreadAndLeavesTheSourceOpenToReadOn() throws Exception {
        int b = ReadAheadInputStream.BUFFER_SIZE;
        byte[] data = random(20 * b);
        ByteArrayInputStream source = new ByteArrayInputStream(data) {
            @Override
            public void close() {
                throw new AssertionError("stop() closed the source");
            }
        };
        ReadAheadInputStream in = new ReadAheadInputStream(source, "test-read-ahead-stop");
        byte[] head = in.readNBytes(1000);
        assertArrayEquals(java.util.Arrays.copyOf(data, 1000), head);
        in.stop();
        assertEquals(
                0,
                Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().equals("test-read-ahead-stop"))
                        .count(),
                "the reading thread outlived stop()");
        assertThrows(IOException.class, in::read, "stopped is closed");
        // the caller reads on from where the thread stopped: whole buffers later, never inside one
        int left = source.available();
        assertEquals(0, (data.length - left) % b, "the thread stopped between two reads of the source");
        byte[] rest = source.readAllBytes();
        assertArrayEquals(java.util.Arrays.copyOfRange(data, data.length - left, data.length), rest);
    }
}

package jp.sekisho.envelope;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PipelinedOutputStreamTest {

    @Test
    void everythingArrivesInOrderAndFlushWaitsForIt() throws IOException {
        byte[] data = new byte[5 * PipelinedOutputStream.BUFFER_SIZE * PipelinedOutputStream.BUFFERS / 3 + 12345];
        new Random(7).nextBytes(data);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PipelinedOutputStream p = new PipelinedOutputStream(sink, "test-writer");
        int off = 0;
        for (int step = 1; off < data.length; step = step * 31 % 700_001 + 1) {
            int n = Math.min(step, data.length - off);
            p.write(data, off, n);
            off += n;
            if (off > data.length / 2 && off - n <= data.length / 2) {
                p.flush();
                assertEquals(off, sink.size(), "flush returns once everything written reached the sink");
            }
        }
        p.close();
        assertArrayEquals(data, sink.toByteArray());
    }

    /** The pool grows as the producer needs it: a small file allocates one buffer, a large one never more than the pool. */
    @Test
    void buffersAreAllocatedAsNeededUpToThePool() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PipelinedOutputStream small = new PipelinedOutputStream(sink, "test-small");
        small.write(new byte[200_000]);
        small.close();
        assertEquals(200_000, sink.size());
        assertEquals(1, small.buffersAllocated());

        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        OutputStream slow = new OutputStream() {
            @Override
            public void write(int b) {}

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    release.await(); // holds the first buffer until the pool is used up
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
        };
        PipelinedOutputStream large = new PipelinedOutputStream(slow, "test-large");
        Thread producer = new Thread(() -> {
            try {
                large.write(new byte[3 * PipelinedOutputStream.BUFFER_SIZE * PipelinedOutputStream.BUFFERS]);
                large.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        producer.start();
        try {
            // the sink holds the first buffer: the producer fills every other one, then waits for one back
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> large.buffersAllocated() == PipelinedOutputStream.BUFFERS);
            release.countDown();
            producer.join(10_000);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertTrue(!producer.isAlive(), "the producer finished");
        assertEquals(PipelinedOutputStream.BUFFERS, large.buffersAllocated(), "never more than the pool");
    }

    @Test
    void aFailureDownstreamReachesTheProducer() {
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
        PipelinedOutputStream p = new PipelinedOutputStream(broken, "test-writer");
        IOException e = assertThrows(IOException.class, () -> {
            byte[] chunk = new byte[PipelinedOutputStream.BUFFER_SIZE];
            for (int i = 0; i < 4 * PipelinedOutputStream.BUFFERS; i++) {
                p.write(chunk); // never blocks for good: the writer keeps recycling buffers
            }
            p.close();
        });
        assertTrue(e.getMessage().contains("disk full"), e.getMessage());
    }
}

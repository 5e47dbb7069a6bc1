package jp.sekisho.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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

package jp.sekisho.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The hand-off between the store reader and the HTTP layer. The first test is the root cause of
 * "audit verify: UNREADABLE … unexpected end": Micronaut reads a streamed body in short tasks (on
 * Java 21+ each on its own virtual thread, ended after one read); {@code PipedInputStream} then
 * failed the writer with "Read end dead" and the export stopped silently.
 */
class ExportPipeTest {

    /**
     * A slow client: the writer writes while no read is in progress and the thread of the last read
     * has ended. {@code PipedInputStream} throws "Read end dead" at the second write here.
     */
    @Test
    void everyByteArrivesWhenTheThreadOfTheLastReadHasEnded() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(17).nextBytes(data);
        ExportPipe pipe = new ExportPipe(4);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        for (int at = 0; at < data.length; at += 10_000) {
            int len = Math.min(10_000, data.length - at);
            pipe.sink.write(data, at, len);
            while (got.size() < at + len) {
                readOnAThreadThatEnds(pipe.source, got);
            }
        }
        pipe.sink.close();
        while (readOnAThreadThatEnds(pipe.source, got) >= 0) {
            // the rest
        }
        assertArrayEquals(data, got.toByteArray());
    }

    /** One read in a task of its own thread, which ends afterwards, as Micronaut's reads on virtual threads do. */
    private static int readOnAThreadThatEnds(InputStream in, ByteArrayOutputStream got) throws Exception {
        byte[] buf = new byte[8192];
        ExecutorService oneShot = Executors.newSingleThreadExecutor();
        try {
            int n = oneShot.submit(() -> in.read(buf)).get(30, TimeUnit.SECONDS);
            if (n > 0) {
                got.write(buf, 0, n);
            }
            return n;
        } finally {
            oneShot.shutdown();
            assertTrue(oneShot.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void theWriterStopsWhenTheClientClosesTheStream() throws Exception {
        ExportPipe pipe = new ExportPipe(2);
        pipe.sink.write(new byte[10]);
        pipe.source.close(); // the client went away
        assertThrows(IOException.class, () -> {
            for (int i = 0; i < 10; i++) {
                pipe.sink.write(new byte[1 << 16]);
            }
        });
    }
}

package jp.sekisho.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
}

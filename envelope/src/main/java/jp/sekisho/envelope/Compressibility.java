package jp.sekisho.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;

/**
 * Whether a file is worth compressing, judged on its first 64 KiB: CSV and text deflate to a
 * fraction, random data, images and archives do not, and compressing them only costs time.
 */
public final class Compressibility {

    /** The sample: one deflate of 64 KiB at level 1 takes well under a millisecond. */
    static final int SAMPLE = 64 * 1024;
    /** Worth it when the sample deflates below 90 % of its size. */
    static final double THRESHOLD = 0.90;

    private Compressibility() {}

    /** True when the file's first {@link #SAMPLE} bytes deflate below {@link #THRESHOLD}; an empty file is not. */
    public static boolean looksCompressible(Path file) throws IOException {
        byte[] sample = new byte[SAMPLE];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(sample, 0, SAMPLE);
        }
        return looksCompressible(sample, n);
    }

    static boolean looksCompressible(byte[] sample, int length) {
        if (length == 0) {
            return false;
        }
        Deflater d = new Deflater(Compression.DEFAULT_LEVEL);
        try {
            d.setInput(sample, 0, length);
            d.finish();
            byte[] out = new byte[length + 64];
            long total = 0;
            while (!d.finished()) {
                total += d.deflate(out);
            }
            return total < THRESHOLD * length;
        } finally {
            d.end();
        }
    }
}

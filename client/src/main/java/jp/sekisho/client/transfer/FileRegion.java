package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.LongConsumer;

/** Streams over a byte range of a file, and SHA-256 helpers: nothing here holds more than 1 MiB. */
final class FileRegion {

    static final int BUFFER = 64 * 1024;

    private FileRegion() {}

    /** {@code length} bytes of {@code file} from {@code offset}. */
    static InputStream open(Path file, long offset, long length) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ch.position(offset);
        return new InputStream() {
            long left = length;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, left)));
                if (n < 0) {
                    throw new IOException(file + " ended " + left + " bytes early (was it changed during the upload?)");
                }
                left -= n;
                return n;
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of a byte range. */
    static byte[] digest(Path file, long offset, long length) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = open(file, offset, length)) {
            update(md, in);
        }
        return md.digest();
    }

    /** SHA-256 (hex) of a whole file. */
    static String sha256Hex(Path file) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            update(md, in);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * SHA-256 (hex) of the first {@code length} bytes of {@code file}, read in 1 MiB pieces, telling
     * {@code hashed} how far it got after each (an uploader follows the file that far).
     */
    static String sha256Hex(Path file, long length, LongConsumer hashed) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1024 * 1024];
        long done = 0;
        try (InputStream in = open(file, 0, length)) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
                done += n;
                hashed.accept(done);
            }
        }
        if (done != length) {
            throw new IOException(file + " ended at " + done + " of " + length + " bytes (was it changed?)");
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static void update(MessageDigest md, InputStream in) throws IOException {
        byte[] buf = new byte[BUFFER];
        int n;
        while ((n = in.read(buf)) >= 0) {
            md.update(buf, 0, n);
        }
    }
}

package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * Reads a partial file from its first byte while a download (or a seal) is still appending to it: a read
 * blocks until more bytes were written, ends where the completed download ended, and fails as soon
 * as the download fails or starts over. Only bytes the {@link Arrival} published are read.
 */
final class FollowingInputStream extends InputStream {

    private final Path file;
    private final Arrival arrival;
    private final int generation;
    private FileChannel channel;
    private long position;
    private MessageDigest digest; // with hashing(): every byte read, from the first
    private Consumer<String> whole;

    FollowingInputStream(Path file, Arrival arrival, int generation) {
        this(file, arrival, generation, 0);
    }

    /** From byte {@code start} on (an upload that resumes where the gateway stopped). */
    FollowingInputStream(Path file, Arrival arrival, int generation, long start) {
        this.file = file;
        this.arrival = arrival;
        this.generation = generation;
        this.position = start;
    }

    /**
     * Hashes every byte it reads and, once it has read to the end of the completed download, hands
     * the SHA-256 (hex) of the whole file to {@code whole}; a reader that stops earlier hands nothing.
     */
    FollowingInputStream hashing(Consumer<String> whole) {
        if (position != 0) {
            throw new IllegalStateException("a hash of the whole file starts at its first byte");
        }
        this.digest = FileRegion.sha256();
        this.whole = whole;
        return this;
    }

    /** Bytes of the file read so far, counted from its first byte. */
    long position() {
        return position;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        long end = arrival.await(position, generation);
        if (end < 0) {
            if (digest != null) { // every byte of this generation, in order, to the last
                whole.accept(HexFormat.of().formatHex(digest.digest()));
                digest = null;
            }
            return -1;
        }
        if (channel == null) {
            // opened only once bytes of this generation exist: the download may create the file late
            channel = FileChannel.open(file, StandardOpenOption.READ);
        }
        int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
        arrival.check(generation); // a restart during the read: these bytes may belong to either download
        if (n <= 0) {
            throw new IOException(file + " holds fewer than the " + end + " bytes the download wrote");
        }
        position += n;
        if (digest != null) {
            digest.update(b, off, n);
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}

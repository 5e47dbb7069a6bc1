package jp.sekisho.client.transfer;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes an envelope file and publishes, after every write, how many bytes the file holds, so that
 * an upload can read the file while it is still being sealed ({@link FollowingInputStream}).
 */
final class PublishingOutputStream extends FilterOutputStream {

    private final Arrival arrival;
    private long written;

    PublishingOutputStream(OutputStream out, Arrival arrival) {
        super(out);
        this.arrival = arrival;
        arrival.started(0);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        written += len;
        arrival.wrote(written);
    }
}

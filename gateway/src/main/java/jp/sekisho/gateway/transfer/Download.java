package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import jp.sekisho.gateway.policy.Caller;

/**
 * The stored envelope as a stream from disk (never buffered whole), from byte {@link #start()}.
 * Before the last byte is handed out it tells its {@link Owner}, which records the delivery, so
 * that the delivery is committed before the receiver has the whole envelope. Throws once the route
 * stops being ACTIVE (or the transfer is acknowledged), which closes the connection.
 */
public final class Download extends InputStream {

    /** What a download reports to whoever opened it ({@link Deliveries}). */
    interface Owner {
        /** The last byte is about to be handed out; a failure here (audit unavailable) withholds it. */
        void lastByte(Download d);

        void closed(Download d);
    }

    private final Transfer transfer;
    private final Caller caller;
    private final FileChannel channel;
    private final long start;
    private final Owner owner;
    private long position;
    private volatile String abortReason;
    private boolean closed;

    Download(Transfer transfer, Caller caller, FileChannel channel, long start, Owner owner) {
        this.transfer = transfer;
        this.caller = caller;
        this.channel = channel;
        this.start = start;
        this.owner = owner;
        this.position = start;
    }

    public long start() {
        return start;
    }

    /** Bytes read so far (handed to the connection). */
    public long sent() {
        return position - start;
    }

    public long remaining() {
        return transfer.length() - start;
    }

    public Transfer transfer() {
        return transfer;
    }

    Caller caller() {
        return caller;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    /** Reads as {@link #read(ByteBuffer)} does. */
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return read(ByteBuffer.wrap(b, off, len));
    }

    /** Reads into {@code dst} from its position; the read that reaches the end reports the last byte first. */
    public int read(ByteBuffer dst) throws IOException {
        if (abortReason != null) {
            throw new IOException("transfer aborted: route " + transfer.routeId() + " is " + abortReason);
        }
        if (position >= transfer.length()) {
            return -1;
        }
        int want = (int) Math.min(dst.remaining(), transfer.length() - position);
        ByteBuffer buf = dst.slice(dst.position(), want);
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                throw new IOException("spool file of " + transfer.id() + " is shorter than " + transfer.length());
            }
        }
        if (position + want == transfer.length()) {
            owner.lastByte(this);
        }
        dst.position(dst.position() + want);
        position += want;
        return want;
    }

    void kill(String reason) {
        abortReason = reason;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            owner.closed(this);
            channel.close();
        }
    }
}

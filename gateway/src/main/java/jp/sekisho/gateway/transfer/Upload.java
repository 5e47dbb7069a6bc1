package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.policy.Caller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PATCH request's body on its way to the spool file. Used by one thread at a time (the
 * request's), apart from {@link #kill} and the {@link #whenRoom} task.
 */
public final class Upload {

    private static final Logger LOG = LoggerFactory.getLogger(Upload.class);

    private final UploadSessions sessions;
    private final Transfer transfer;
    private final Caller caller;
    private final byte[] checksum;
    /** Upload-Length, or the route's max-payload while the length is deferred. */
    private final long limit;

    private final MessageDigest chunkDigest;
    private final Runnable onAbort;
    /** Writes the body and keeps the running check over [0, offset()). */
    private final SpoolWriter writer;
    /** The running check as it stood before this chunk, to go back to when the chunk is discarded. */
    private final RunningCheck runningBefore;

    /** Gives back the transfer's cluster lock, held from the PATCH's start to its release. */
    private final Runnable unlock;

    private long written;
    private volatile String abortReason;
    /** This node lost the cluster lock: nothing more is written or recorded; the upload stays as it is. */
    private volatile boolean lockLost;

    private boolean done;
    /**
     * The body went past Upload-Length (or max-payload): nothing of this PATCH is kept, however
     * the network cut the body into pieces, so the upload stays at its last durable offset.
     */
    private boolean tooLarge;
    /** The spool's disk is full: the upload is ended and its partial file deleted when the PATCH ends. */
    private boolean spoolFull;
    /** Bytes written since the free space was last looked at. */
    private long sinceSpaceCheck;

    /** How often (in bytes written) a PATCH looks at the spool's free space. */
    static final long SPACE_CHECK_EVERY = 4L << 20;

    Upload(
            UploadSessions sessions,
            Transfer transfer,
            Caller caller,
            byte[] checksum,
            long limit,
            Runnable onAbort,
            SpoolWriter writer,
            RunningCheck runningBefore,
            Runnable unlock) {
        this.sessions = sessions;
        this.transfer = transfer;
        this.caller = caller;
        this.checksum = checksum;
        this.limit = limit;
        this.chunkDigest = checksum == null ? null : RunningCheck.sha256();
        this.onAbort = onAbort;
        this.writer = writer;
        this.runningBefore = runningBefore;
        this.unlock = unlock;
    }

    public Transfer transfer() {
        return transfer;
    }

    Caller caller() {
        return caller;
    }

    public String abortReason() {
        return abortReason;
    }

    public long offset() {
        return transfer.offset() + written;
    }

    /**
     * Appends bytes (not yet durable). Never blocks: the spool writer takes the bytes even when its
     * buffers are all in flight; {@link #hasRoom()} says whether it should be given more now.
     */
    public void write(ByteBuffer b) throws IOException {
        String r = abortReason;
        if (r != null) {
            throw aborted(r);
        }
        if (lockLost) {
            throw lockLostProblem();
        }
        if (offset() + b.remaining() > limit) {
            tooLarge = true;
            throw new TransferProblem(
                    Reason.PAYLOAD_TOO_LARGE,
                    transfer.lengthKnown()
                            ? "the body goes past Upload-Length " + limit
                            : "the body goes past the route's maximum of " + limit + " bytes");
        }
        if (chunkDigest != null) {
            chunkDigest.update(b.duplicate());
        }
        int n = b.remaining();
        sinceSpaceCheck += n;
        if (sinceSpaceCheck >= SPACE_CHECK_EVERY) {
            sinceSpaceCheck = 0;
            SpoolSpace space = sessions.space();
            long usable = space.usable();
            space.warnIfLow(usable);
            // half the reserve is the floor: a deferred upload must not starve the database or small uploads
            if (usable < space.reserve() / 2) {
                throw spoolFull();
            }
        }
        try {
            writer.write(b);
        } catch (IOException e) {
            if (SpoolSpace.noSpace(e)) {
                throw spoolFull();
            }
            throw e;
        }
        written += n;
    }

    /** Marks the upload for release (see {@link #interrupted}) and returns the refusal to answer. */
    private TransferProblem spoolFull() {
        spoolFull = true;
        return spoolFullProblem();
    }

    private TransferProblem spoolFullProblem() {
        return new TransferProblem(
                        Reason.SPOOL_FULL,
                        "スプールの空き容量が足りません。アップロードを中止し部分ファイルを削除しました / the gateway's spool is full: "
                                + "the upload was ended and its partial file deleted; send it again later or in a smaller size")
                .markAudited(); // TRANSFER_ABORTED with reason SPOOL_FULL
    }

    /**
     * True when the spool writer has a free buffer slot now. Contract with the PATCH handler:
     * after a {@link #write}, if {@code !hasRoom()}, turn autoRead off and turn it back on in
     * {@link #whenRoom(Runnable)}; memory then stays bounded by the writer's buffers plus what
     * one socket read delivers.
     */
    public boolean hasRoom() {
        return writer.hasRoom();
    }

    /** Runs {@code r} once, on any thread, as soon as a buffer slot is free; at once if one is free now. */
    public void whenRoom(Runnable r) {
        writer.whenRoom(r);
    }

    /**
     * Ends the PATCH: verifies the chunk checksum, makes the bytes durable (fsync) and records the
     * new offset; when the upload is complete, has its envelope checked (STORED or REJECTED).
     *
     * @return the transfer as it now stands (UPLOADING with its offset, or STORED)
     */
    public Transfer finish() {
        try {
            if (abortReason != null) {
                throw aborted(abortReason);
            }
            if (lockLost) {
                throw lockLostProblem();
            }
            if (chunkDigest != null && !MessageDigest.isEqual(chunkDigest.digest(), checksum)) {
                discardChunk();
                keepRunning();
                throw new TransferProblem(Reason.CHECKSUM_MISMATCH, "the chunk's SHA-256 differs from Upload-Checksum");
            }
            long offset = offset();
            Transfer now;
            try {
                now = persist(offset);
            } catch (UncheckedIOException e) {
                if (!SpoolSpace.noSpace(e)) {
                    throw e;
                }
                releaseFull();
                throw spoolFullProblem();
            }
            if (now.state().storedOrLater()) {
                return now; // another check of the same bytes stored it meanwhile: that is this PATCH's answer
            }
            if (now.lengthKnown() && offset == now.length()) {
                if (now.sha256() == null) {
                    // all bytes are in and durable: the client repeats the empty PATCH with the header
                    keepRunning();
                    throw new TransferProblem(
                            Reason.METADATA_INVALID,
                            "sha256 of the envelope must be declared in " + "Upload-Metadata or " + Tus.ENVELOPE_SHA256
                                    + " by the PATCH that completes the upload",
                            offset);
                }
                return sessions.complete(this, now);
            }
            keepRunning();
            return now;
        } finally {
            release();
        }
    }

    /** The connection broke mid-PATCH: keep what arrived (fsync'd) unless the chunk had a checksum. */
    public void interrupted() {
        if (done) {
            return;
        }
        if (spoolFull) {
            releaseFull();
            return;
        }
        try {
            if (lockLost) {
                return; // another node may own the upload now: its offset is not ours to move
            }
            if (abortReason == null && checksum == null && !tooLarge && written > 0) {
                persist(offset());
                keepRunning();
            } else if (checksum != null || tooLarge) {
                discardChunk();
                keepRunning();
            }
        } catch (RuntimeException e) {
            LOG.warn("could not keep the interrupted PATCH of {}: {}", transfer.id(), e.getMessage());
        } finally {
            release();
        }
    }

    /** The running check over everything synced, when it covers exactly {@code length} bytes; else null. */
    RunningCheck runningOver(long length) {
        RunningCheck r = writer.running();
        return r != null && r.covered() == length ? r : null;
    }

    private Transfer persist(long offset) {
        try {
            writer.sync();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the spool file: " + e.getMessage(), e);
        }
        return sessions.advance(transfer, offset);
    }

    private void discardChunk() {
        try {
            writer.cutBack(transfer.offset(), runningBefore);
        } catch (IOException e) {
            LOG.warn("cannot cut back {}: {}", transfer.id(), e.getMessage());
        }
        written = 0;
    }

    private void keepRunning() {
        RunningCheck d = writer.running();
        if (d != null) {
            sessions.keepForNextPatch(transfer.id(), d);
        }
    }

    /** Closes the file, then ends the transfer ABORTED SPOOL_FULL and deletes its partial file. */
    private void releaseFull() {
        release();
        try {
            sessions.spoolFull(this);
        } catch (RuntimeException e) {
            LOG.warn("could not end {} after the spool filled up: {}", transfer.id(), e.getMessage());
        }
    }

    private void release() {
        if (done) {
            return;
        }
        done = true;
        try {
            writer.close();
            sessions.released(this);
        } finally {
            unlock.run();
        }
    }

    private TransferProblem aborted(String reason) {
        return TransferProblem.aborted(transfer.routeId(), reason);
    }

    /** The lock connection broke: cut the PATCH off without ending the upload (the sender resumes it). */
    void lockLost() {
        lockLost = true;
        onAbort.run();
    }

    boolean isLockLost() {
        return lockLost;
    }

    private static TransferProblem lockLostProblem() {
        return new TransferProblem(
                Reason.SPOOL_UNAVAILABLE,
                "このノードは転送のロックを失いました。再開してください / this gateway node lost the upload's cluster lock;"
                        + " resume the upload (HEAD, then PATCH)");
    }

    /** The route stopped being ACTIVE or the sender deleted the upload: cut the PATCH off. */
    void kill(String reason) {
        abortReason = reason;
        onAbort.run();
    }
}

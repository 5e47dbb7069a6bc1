package jp.sekisho.client.transfer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import jp.sekisho.envelope.EnvelopeSource;
import jp.sekisho.envelope.OpenResult;

/**
 * Downloads an envelope and opens it at the same time, one core each: this thread does TLS and the
 * write; a second thread reads the partial file as it grows (the bytes of an earlier, interrupted
 * run first), takes its SHA-256 on the way and decrypts and verifies it. The hash is the reader's
 * because the download is the busier side (issue 18: TLS, the write and the hash on one thread were
 * the 1 GiB receive's critical path). When the opener stops before the end (a refused envelope) the
 * file is hashed again from disk, so the hash always covers every byte. Nothing is decided here: the
 * caller gets the download's hash and what the opener made of the bytes, and must check the hash
 * before it uses the opened file. The open thread has always ended when {@link #run} returns or
 * throws.
 */
final class ReceivePipeline {

    /** The download's SHA-256 and the opener's result, or its failure on exactly the bytes downloaded. */
    record Outcome(String sha256, OpenResult opened, RuntimeException openFailure) {}

    private final Downloader downloader;
    private final Function<EnvelopeSource, OpenResult> opener;

    /** @param opener opens an envelope into the output file (via a temporary file), e.g. {@code Opener::open} */
    ReceivePipeline(Downloader downloader, Function<EnvelopeSource, OpenResult> opener) {
        this.downloader = downloader;
        this.opener = opener;
    }

    /** Downloads {@code partial} to {@code size} bytes and opens it; a download failure is thrown after the opener stopped. */
    Outcome run(String transferId, long size, Path partial) {
        Arrival arrival = new Arrival();
        AtomicReference<String> readWhole = new AtomicReference<>();
        FutureTask<OpenResult> open = new FutureTask<>(() -> openFollowing(partial, arrival, readWhole));
        Thread thread = new Thread(open, "sekisho-open-" + transferId);
        thread.setDaemon(true); // never keeps the JVM alive, though it is always awaited below
        thread.start();
        try {
            downloader.download(transferId, size, partial, arrival);
            arrival.finished();
        } catch (RuntimeException | Error e) {
            arrival.failed(e); // the opener's stream fails at once; its temporary file is deleted
            try {
                await(open, thread);
            } catch (ExecutionException ignored) {
                // the opener failed on a download that failed: the download's error is the one to report
            }
            throw e;
        }
        try {
            OpenResult opened = await(open, thread);
            return new Outcome(sha256(readWhole, partial), opened, null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                return new Outcome(sha256(readWhole, partial), null, r);
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The hash a reader took of the whole download, or the file's, read again, when none read it all. */
    private static String sha256(AtomicReference<String> readWhole, Path partial) {
        String read = readWhole.get();
        if (read != null) {
            return read;
        }
        try {
            return FileRegion.sha256Hex(partial);
        } catch (IOException e) {
            throw jp.sekisho.cli.CliException.usage("cannot read " + partial + ": " + e.getMessage());
        }
    }

    /** Opens what the download writes; when the download starts over from byte 0, so does the opener. */
    private OpenResult openFollowing(Path partial, Arrival arrival, AtomicReference<String> readWhole) {
        while (true) {
            int generation = arrival.generation();
            try {
                return opener.apply(
                        () -> new FollowingInputStream(partial, arrival, generation).hashing(readWhole::set));
            } catch (RuntimeException e) {
                if (arrival.generation() == generation) {
                    throw e;
                }
                // read bytes of a download that was discarded: its verdict does not count
            }
        }
    }

    /**
     * The opener's result once its thread ended. Interrupted, it interrupts the opener (whose next
     * read fails), still waits for it, and reports the interruption.
     */
    private static OpenResult await(FutureTask<OpenResult> open, Thread thread) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return open.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                    thread.interrupt();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package jp.sekisho.client.transfer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import jp.sekisho.certs.Identity;
import jp.sekisho.cli.CliException;
import jp.sekisho.envelope.Compression;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.envelope.SealResult;
import jp.sekisho.envelope.Sealer;

/**
 * The three ways {@code send} produces what it uploads: seal first then upload (chunk checksums),
 * upload while sealing, or upload a ready envelope while hashing it. The envelope goes to the send
 * state's file, from which an interrupted upload resumes, and is recorded as sealed before the upload
 * may declare its length.
 */
final class SendModes {

    private final TusUploader uploader;
    private final SendState state;
    private final RouteTerms terms;
    private final ContentCipher cipher;
    /** zlib level, or {@link Compression#NONE}. */
    private final int compressionLevel;

    SendModes(TusUploader uploader, SendState state, RouteTerms terms, ContentCipher cipher, int compressionLevel) {
        this.uploader = uploader;
        this.state = state;
        this.terms = terms;
        this.cipher = cipher;
        this.compressionLevel = compressionLevel;
    }

    /** Chunk checksums need each chunk's bytes before it is sent: the whole envelope first, then the upload. */
    TusUploader.Result sealThenUpload(Path source, Identity identity, String name, long count) throws IOException {
        Path temp = state.envelope();
        SealResult sealed = seal(source, temp, identity, null);
        SendCommand.checkSize(sealed.envelopeBytes(), terms);
        return uploader.upload(temp, sealed.envelopeBytes(), name, sealed.envelopeSha256(), count);
    }

    /**
     * Seals on a second thread while the upload sends what it wrote so far (tus Upload-Defer-Length),
     * so the hand-off takes about the longer of the two instead of their sum. The envelope still goes
     * to the temporary file, from which an interrupted upload resumes. A gateway that does not take
     * deferred uploads gets the whole envelope once it is sealed.
     *
     * @param rewind an earlier run's unfinished upload to start again with this envelope, or null
     */
    TusUploader.Result uploadWhileSealing(
            Path source, Identity identity, String name, long count, long plainBytes, URI rewind) {
        Path temp = state.envelope();
        Arrival arrival = new Arrival();
        FutureTask<SealResult> sealing = new FutureTask<>(() -> seal(source, temp, identity, arrival));
        Thread sealer = new Thread(sealing, "sekisho-seal");
        sealer.setDaemon(true); // a refused upload ends the command; the seal must not hold the JVM
        sealer.start();
        TusUploader.Result stored =
                uploader.uploadWhileSealing(temp, arrival, sealing, plainBytes, name, count, rewind);
        if (stored != null) {
            return stored;
        }
        SealResult sealed;
        try {
            sealed = sealing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.interrupted();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        SendCommand.checkSize(sealed.envelopeBytes(), terms);
        return uploader.upload(temp, sealed.envelopeBytes(), name, sealed.envelopeSha256(), count);
    }

    /**
     * A ready envelope goes out while another thread hashes it, as a sealed one goes out while it is
     * sealed: the hash runs ahead (it reads several times faster than the upload sends), and the
     * PATCH that completes the upload declares it. Before, the whole envelope was read and hashed
     * first, about a second per GiB before the first byte left.
     */
    TusUploader.Result uploadWhileHashing(Path envelope, long size, String name, long count, URI rewind) {
        Arrival arrival = new Arrival();
        FutureTask<SealResult> hashing = new FutureTask<>(() -> {
            try {
                arrival.started(0);
                SealResult r = new SealResult(0, size, FileRegion.sha256Hex(envelope, size, arrival::wrote));
                state.sealed(r); // before the upload may declare its length
                arrival.finished();
                return r;
            } catch (IOException | RuntimeException | Error e) {
                arrival.failed(e);
                throw e;
            }
        });
        Thread hasher = new Thread(hashing, "sekisho-hash");
        hasher.setDaemon(true);
        hasher.start();
        TusUploader.Result stored = uploader.uploadWhileSealing(envelope, arrival, hashing, size, name, count, rewind);
        if (stored != null) {
            return stored;
        }
        try {
            return uploader.upload(envelope, size, name, hashing.get().envelopeSha256(), count);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.interrupted();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /**
     * Seals into the state's envelope file and records it as sealed (durably) before the upload may
     * declare its length.
     *
     * @param arrival told how much of the envelope is on disk (null: nobody follows the file)
     */
    private SealResult seal(Path source, Path temp, Identity identity, Arrival arrival) throws IOException {
        try {
            SealResult r = sealInto(source, temp, identity, arrival);
            state.sealed(r);
            if (arrival != null) {
                arrival.finished();
            }
            return r;
        } catch (IOException | RuntimeException | Error e) {
            if (arrival != null) {
                arrival.failed(e);
            }
            throw e;
        }
    }

    private SealResult sealInto(Path source, Path temp, Identity identity, Arrival arrival) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(source), 64 * 1024);
                OutputStream out = arrival == null
                        ? Files.newOutputStream(temp, StandardOpenOption.WRITE)
                        : new PublishingOutputStream(Files.newOutputStream(temp, StandardOpenOption.WRITE), arrival)) {
            // an upload that follows the file says when it is behind: the compression then rises
            return Sealer.seal(in, out, identity, terms.recipients(), cipher, compressionLevel, arrival);
        } catch (NoSuchFileException e) {
            throw CliException.usage(e.getFile() + ": no such file");
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw CliException.usage("cannot seal " + source + ": " + e.getMessage());
        }
    }
}

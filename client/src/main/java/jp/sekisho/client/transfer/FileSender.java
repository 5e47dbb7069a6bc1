package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.certs.Identity;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.client.Timings;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.envelope.Compression;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.envelope.SealResult;

/**
 * The send of one file, as {@code sekisho send} and the resident agent both do it: the route's
 * terms, the record count, sealing and the resumable upload, and the receipt. Its state
 * ({@link SendState}) stays beside the input until the caller says the receipt is safe
 * ({@link Sent#done()}), so a caller that must store the receipt first (the agent) can order its
 * steps for exactly one transfer. One sender serves many sends over one client (one TLS session).
 */
public final class FileSender {

    /** What one send needs besides the client and the identity; {@code itemsMap} null means identity. */
    public record Options(
            String route,
            Path source,
            boolean encrypted,
            Long records,
            ItemsMap itemsMap,
            TextEncoding encoding,
            boolean csv,
            boolean cbc,
            Boolean compress,
            String filename,
            long chunkSize,
            boolean chunkChecksums,
            int retries,
            boolean restart,
            Progress progress) {

        public Options {
            if (chunkSize < 1) {
                throw CliException.usage("--chunk-size must be positive");
            }
            if (itemsMap != null && encrypted) {
                throw CliException.usage("--items-map applies to --file only (an envelope's content cannot be read)");
            }
        }

        /** The agent's send of a plain file: the defaults of {@code sekisho send}, uploaded while it is sealed. */
        public static Options agent(
                String route, Path source, String filename, Long records, ItemsMap map, long chunkSize) {
            return new Options(
                    route,
                    source,
                    false,
                    records,
                    map,
                    TextEncoding.UTF_8,
                    map != null,
                    false,
                    null,
                    filename,
                    chunkSize,
                    false,
                    8,
                    false,
                    Progress.none());
        }
    }

    /** The gateway stored the transfer: its receipt, and the state kept until {@link #done()}. */
    public static final class Sent {
        private final Receipt receipt;
        private final int retries;
        private final SendState state;

        Sent(Receipt receipt, int retries, SendState state) {
            this.receipt = receipt;
            this.retries = retries;
            this.state = state;
        }

        public Receipt receipt() {
            return receipt;
        }

        public int retries() {
            return retries;
        }

        /** The receipt is safe with the caller: the envelope and the upload's URL go. */
        public void done() {
            state.discard();
        }
    }

    private final GatewayClient client;
    private final Identity identity;
    private final PrintWriter notices;

    /**
     * @param identity the signing identity (null only for envelopes sealed elsewhere)
     * @param notices  where one-line notices go (resuming, starting afresh)
     */
    public FileSender(GatewayClient client, Identity identity, PrintWriter notices) {
        this.client = client;
        this.identity = identity;
        this.notices = notices;
    }

    public GatewayClient client() {
        return client;
    }

    /**
     * Sends {@code o.source()} on {@code o.route()}, continuing an earlier send of the same file
     * when it can.
     *
     * @param shutdownNotice say on SIGTERM what the next run will do (a command run by a person)
     * @throws CliException exit 1 refused, 2 input error, 3 gateway unavailable (the state stays)
     */
    public Sent send(Options o, Timings steps, boolean shutdownNotice) {
        Path source = o.source();
        if (!Files.isRegularFile(source)) {
            throw CliException.usage(source + ": no such file");
        }
        ItemsMap map = o.itemsMap() == null ? ItemsMap.identity() : o.itemsMap();
        SendState state = openState(source, o);
        Thread hook = new Thread(() -> SendResumption.interrupted(state, notices), "sekisho-send-interrupted");
        if (shutdownNotice) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        String storedId = null;
        boolean forcedCsv = !o.encrypted() && (o.csv() || o.itemsMap() != null);
        DeclaredRecords.Count counting = DeclaredRecords.countAhead(source, forcedCsv, o.encrypted());
        try {
            RouteTerms terms = RouteTerms.of(client.get("api/v1/routes/" + Paths.segment(o.route()) + "/terms")
                    .object());
            steps.mark("条件 / terms (TLS handshake, GET)");
            long count = DeclaredRecords.of(
                    source, counting, forcedCsv, o.encrypted(), o.records(), map, o.encoding(), terms);
            if (count > terms.maxRecords()) {
                throw new CliException(
                        ExitCode.REFUSED,
                        "RECORDS_OVER_APPROVAL: 件数が承認の上限を超えています。 " + count + " records, but approval "
                                + terms.approvalRef() + " allows at most " + terms.maxRecords() + " per transfer."
                                + " 次に: 件数を承認の範囲に収めてください。 next: send no more records than the"
                                + " approval allows.");
            }
            if (o.cbc() && !terms.allowCbc()) {
                throw new CliException(
                        ExitCode.REFUSED,
                        "PAYLOAD_WEAK_CIPHER: この経路は AES-256-CBC を受け付けません。 route " + o.route()
                                + " does not accept AES-256-CBC (allow-cbc is false). 次に: --cbc を付けずに送って"
                                + "ください。 next: send without --cbc.");
            }
            boolean compressing = CompressionChoice.of(o.compress(), o.encrypted(), terms, source);
            String name = o.filename() != null
                    ? o.filename()
                    : o.encrypted() ? source.getFileName().toString() : source.getFileName() + ".cms";
            TusUploader uploader = new TusUploader(
                            client, o.route(), o.chunkSize(), Backoff.standard(o.retries()), o.progress())
                    .chunkChecksums(o.chunkChecksums())
                    .notices(m -> SendCommand.notice(notices, m))
                    .onCreated(state::created);
            SendState.Command command = new SendState.Command(
                    o.route(),
                    client.base().toString(),
                    absolute(source),
                    o.encrypted(),
                    name,
                    count,
                    o.cbc(),
                    compressing);
            TusUploader.Result stored = sendOrResume(state, command, uploader, o, terms, name, count);
            storedId = stored.transferId();
            steps.mark("封印と送信 / seal and upload");
            Receipt receipt = Receipt.parse(receipt(uploader, stored.transferId()));
            steps.mark("受領証 / receipt");
            return new Sent(receipt, stored.retries(), state);
        } catch (IOException e) {
            throw SendResumption.ended(
                    state,
                    storedId,
                    client,
                    o.route(),
                    CliException.usage(
                            "cannot read " + source + " or write its envelope beside it: " + e.getMessage()));
        } catch (UncheckedIOException e) {
            throw SendResumption.ended(
                    state,
                    storedId,
                    client,
                    o.route(),
                    CliException.usage("cannot write the send's state in " + state.folder() + ": "
                            + e.getCause().getMessage()));
        } catch (CliException e) {
            throw SendResumption.ended(state, storedId, client, o.route(), e);
        } finally {
            counting.cancel(); // done already, or unwanted: a refused send reads no further
            if (shutdownNotice) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // shutting down already: the hook says what is kept
                }
            }
            state.close(); // the lock only: the folder stays until done()
        }
    }

    /**
     * Removes what an earlier send of {@code source} on {@code route} kept, once its receipt is safe
     * elsewhere (the agent stored it, then was killed before {@link Sent#done()}).
     */
    public static void forget(Path source, String route) throws IOException {
        SendState.open(source, route).discard();
    }

    private static String receipt(TusUploader uploader, String transferId) {
        try {
            return uploader.receipt(transferId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNAVAILABLE, "interrupted while fetching the receipt of " + transferId);
        }
    }

    /**
     * The state folder of this input and route. An {@code --encrypted} envelope in a folder that cannot
     * be written is still sent, without what a later run would need to resume it.
     */
    private static SendState openState(Path source, Options o) {
        try {
            return SendState.open(source, o.route());
        } catch (IOException e) {
            if (o.encrypted()) {
                return SendState.inMemory();
            }
            throw CliException.usage("cannot write the envelope of " + source + " beside it (" + SendState.FOLDER
                    + "): " + e.getMessage());
        }
    }

    private static String absolute(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }

    /** Continues an earlier run of this send when it can (SendResumption), else seals and sends afresh. */
    private TusUploader.Result sendOrResume(
            SendState state,
            SendState.Command command,
            TusUploader uploader,
            Options o,
            RouteTerms terms,
            String name,
            long count)
            throws IOException {
        Path source = o.source();
        SendState.Fingerprint input = SendState.Fingerprint.of(source);
        SendResumption.Earlier earlier = SendResumption.continueEarlier(
                state, command, input, source, uploader, o.restart(), !o.chunkChecksums(), name, count, notices);
        if (earlier instanceof SendResumption.Earlier.Continued c) {
            return c.result();
        }
        URI rewind = earlier instanceof SendResumption.Earlier.Rewind r ? r.upload() : null;
        state.begin(command, input);
        if (rewind != null) {
            state.created(rewind); // a kill during this run starts the same upload again, once more
        }
        if (command.encrypted()) {
            long size = Files.size(source);
            SendCommand.checkSize(size, terms);
            if (o.chunkChecksums()) {
                SealResult hashed = new SealResult(-1, size, FileRegion.sha256Hex(source));
                state.sealed(hashed);
                return uploader.upload(source, size, name, hashed.envelopeSha256(), count);
            }
            return new SendModes(uploader, state, terms, ContentCipher.AES_256_GCM, Compression.NONE)
                    .uploadWhileHashing(source, size, name, count, rewind);
        }
        long plainBytes = Files.size(source);
        if (plainBytes > terms.maxPayloadBytes()) { // the envelope is larger still
            SendCommand.checkSize(plainBytes, terms);
        }
        SendModes modes = new SendModes(
                uploader,
                state,
                terms,
                o.cbc() ? ContentCipher.AES_256_CBC : ContentCipher.AES_256_GCM,
                command.compress() ? Compression.DEFAULT_LEVEL : Compression.NONE);
        // either way no upload can complete before its envelope is recorded as sealed: a kill at any
        // point resumes that upload, or (mid-seal) starts the same upload again from byte 0; after a
        // crash of the machine the envelope is checked first (SendState, SendResumption)
        return o.chunkChecksums()
                ? modes.sealThenUpload(source, identity, name, count)
                : modes.uploadWhileSealing(source, identity, name, count, plainBytes, rewind);
    }
}

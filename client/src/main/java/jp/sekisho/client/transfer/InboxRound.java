package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.envelope.EnvelopeException;
import jp.sekisho.envelope.OpenResult;
import jp.sekisho.envelope.Opener;
import jp.sekisho.envelope.TrustAnchors;

/**
 * One round of receiving a route into a folder, as {@code sekisho receive} and the resident agent
 * both do it: first what an earlier run placed and did not get acknowledged (the journal), then each
 * listed transfer: download and open, place, acknowledge. The listing itself is the caller's (each
 * polls the gateway its own way). Holds the folder's lock and the plaintext guard until closed, and
 * the transfers refused in this run, which later rounds leave alone.
 */
public final class InboxRound implements AutoCloseable {

    /** What a round tells its caller, one call per transfer. */
    public interface Listener {
        /** Placed and acknowledged now, or ({@code r.alreadyPlaced()}) placed by an earlier run and acknowledged now. */
        void received(Received r);

        /** Refused here (cannot be opened, wrong hash, bad name): not acknowledged, left on the gateway. */
        void refused(String transferId, String message);
    }

    /**
     * A transfer placed in the folder: where, what it holds, and how its acknowledgment went
     * ({@code ack}: ACKNOWLEDGED, ALREADY_ACKNOWLEDGED, or ENDED when the gateway ended the transfer
     * first, {@code ackState} its state then).
     */
    public record Received(
            String transferId,
            Path file,
            long bytes,
            long records,
            String signer,
            String sender,
            String plaintextSha256,
            String envelopeSha256,
            boolean alreadyPlaced,
            String ack,
            String ackState) {

        static Received of(ReceiveJournal.Entry e, Path target, Handoff.Acked acked, boolean alreadyPlaced) {
            return new Received(
                    e.transferId(),
                    target,
                    e.bytes(),
                    e.records(),
                    e.signer(),
                    e.sender(),
                    e.plaintextSha256(),
                    e.envelopeSha256(),
                    alreadyPlaced,
                    acked.ack().name(),
                    acked.state());
        }
    }

    /** The decryption key, the recipient certificate (or null), and the senders' trust anchors. */
    public record Keys(PrivateKey privateKey, X509Certificate certificate, TrustAnchors anchors) {}

    private final GatewayClient client;
    private final String route;
    private final Path out;
    private final Path partialDir;
    private final Keys keys;
    private final int retries;
    private final Listener listener;
    private final boolean progressBars;
    private final OutputLock lock;
    private final Plaintext guard;
    private final ReceiveJournal journal;
    private final Handoff handoff;
    private final int swept;
    private final Set<String> refused = new LinkedHashSet<>();

    private InboxRound(
            GatewayClient client,
            String route,
            Path out,
            Path partialDir,
            Keys keys,
            int retries,
            Listener listener,
            boolean progressBars,
            OutputLock lock,
            Plaintext guard) {
        this.client = client;
        this.route = route;
        this.out = out;
        this.partialDir = partialDir;
        this.keys = keys;
        this.retries = retries;
        this.listener = listener;
        this.progressBars = progressBars;
        this.lock = lock;
        this.guard = guard;
        this.swept = Plaintext.sweep(partialDir);
        this.journal = new ReceiveJournal(partialDir);
        this.handoff = new Handoff(client, route, out, journal);
    }

    /**
     * Takes {@code out} for this route: creates {@code out/.sekisho-partial/}, locks it (one receiver per
     * folder), and deletes the plaintext a killed run left.
     *
     * @param progressBars draw a download bar on the terminal (a person's command; not the agent's threads)
     * @throws CliException exit 2 when the folder cannot be made, 3 when another receiver holds it
     */
    public static InboxRound open(
            GatewayClient client,
            String route,
            Path out,
            Keys keys,
            int retries,
            Listener listener,
            boolean progressBars) {
        Path partialDir = out.resolve(".sekisho-partial");
        try {
            Files.createDirectories(partialDir);
        } catch (IOException e) {
            throw CliException.usage("--out " + out + ": " + e.getMessage());
        }
        OutputLock lock = OutputLock.acquire(partialDir);
        Plaintext guard;
        try {
            guard = Plaintext.guard(partialDir);
        } catch (RuntimeException | Error e) {
            lock.close();
            throw e;
        }
        return new InboxRound(client, route, out, partialDir, keys, retries, listener, progressBars, lock, guard);
    }

    /** The decrypted temporary files a killed run left and opening deleted. */
    public int swept() {
        return swept;
    }

    public Path partialDir() {
        return partialDir;
    }

    /** The inbox listing ({@code GET api/v1/routes/{route}/inbox}) as its items. */
    public static List<Object> list(GatewayClient client, String route) {
        return client.get("api/v1/routes/" + Paths.segment(route) + "/inbox").array();
    }

    /**
     * Receives what {@code inbox} lists, after what the journal says was placed and not acknowledged.
     *
     * @return how many transfers were handled (received, acknowledged or refused) in this round
     * @throws CliException anything but a refusal (the gateway unreachable, the folder unwritable) ends the round
     */
    public int run(List<Object> inbox) {
        Set<String> handled = new LinkedHashSet<>();
        // first what an earlier run placed and did not get acknowledged, listed or not (the
        // gateway may have taken the acknowledgment and lost only its answer)
        for (ReceiveJournal.Entry e : journal.entries()) {
            if (!e.route().equals(route) || refused.contains(e.transferId())) {
                continue;
            }
            handled.add(e.transferId());
            try {
                handoff.recover(e)
                        .ifPresentOrElse(placed -> acknowledgeOnly(placed), () -> handled.remove(e.transferId()));
            } catch (CliException x) {
                refuseOrThrow(x, e.transferId());
            }
        }
        for (Object o : inbox) {
            InboxItem item = InboxItem.of((Map<?, ?>) o);
            if (refused.contains(item.transferId()) || handled.contains(item.transferId())) {
                continue;
            }
            handled.add(item.transferId());
            try {
                receive(item);
            } catch (CliException e) {
                refuseOrThrow(e, item.transferId());
            }
        }
        return handled.size();
    }

    /** Transfers refused in this run (left on the gateway, not tried again). */
    public Set<String> refused() {
        return Set.copyOf(refused);
    }

    /** A refusal is reported and the transfer left alone for this run; anything else ends the round. */
    private void refuseOrThrow(CliException e, String transferId) {
        if (e.exitCode() != ExitCode.REFUSED) {
            throw e;
        }
        refused.add(transferId);
        listener.refused(transferId, e.getMessage());
    }

    /** A transfer an earlier run placed: acknowledged with the recorded envelope SHA-256, nothing downloaded or written. */
    private void acknowledgeOnly(ReceiveJournal.Entry placed) {
        Handoff.Acked acked = handoff.acknowledge(placed);
        Plaintext.deleteQuietly(partialDir.resolve(Durable.safeName(placed.transferId()) + ".cms"));
        listener.received(Received.of(placed, handoff.target(placed), acked, true));
    }

    private void receive(InboxItem item) {
        InboxItem.refuseBadName(item);
        Path partial = partialDir.resolve(Durable.safeName(item.transferId()) + ".cms");
        Path opened = Plaintext.opened(partialDir, item.transferId());
        try {
            Downloader downloader = new Downloader(
                    client,
                    route,
                    Backoff.standard(retries),
                    progressBars ? Progress.forTerminal("download") : Progress.none());
            ReceivePipeline pipeline = new ReceivePipeline(
                    downloader,
                    source -> Opener.open(source, opened, keys.privateKey(), keys.certificate(), keys.anchors()));
            ReceivePipeline.Outcome outcome = pipeline.run(item.transferId(), item.size(), partial);
            String sha256 = outcome.sha256();
            if (!sha256.equalsIgnoreCase(item.sha256())) {
                // whatever the opener made of these bytes, they are not the ones the gateway stored
                Plaintext.deleteQuietly(partial);
                throw new CliException(
                        ExitCode.REFUSED,
                        "DOWNLOAD_HASH_MISMATCH: 受信した封筒がゲートウェイの記録と一致しません（受領確認はしません）。"
                                + " transfer " + item.transferId() + " downloaded with SHA-256 " + sha256
                                + ", the gateway lists " + item.sha256() + "; not acknowledged. 次に: もう一度受信し、"
                                + "繰り返すならゲートウェイの運用者に知らせてください。 next: receive again; if it repeats,"
                                + " tell the gateway's operator.");
            }
            RuntimeException failure = outcome.openFailure();
            if (failure instanceof EnvelopeException e) {
                throw new CliException(
                        ExitCode.REFUSED,
                        e.reason() + ": 封筒を開けません（受領確認はせず、封筒は残します）。 transfer "
                                + item.transferId() + " (" + item.filename() + ") cannot be opened: " + e.getMessage()
                                + "; not acknowledged, envelope kept at " + partial + ". 次に: 理由コードを送信元と事務局に"
                                + "伝えてください。 next: give the reason code to the sender and the secretariat.");
            }
            if (failure instanceof UncheckedIOException e) {
                throw CliException.usage("受信したファイルを書き出せません。 cannot open transfer " + item.transferId()
                        + ": " + e.getCause().getMessage() + ". 次に: 空き容量と受信フォルダの権限を確認してください。"
                        + " next: check the free space and the inbox folder's permissions.");
            }
            if (failure != null) {
                throw failure;
            }
            OpenResult result = outcome.opened();
            ReceiveJournal.Entry placed;
            try {
                placed = handoff.place(
                        opened,
                        InboxItem.outputName(item.filename(), item.transferId()),
                        new ReceiveJournal.Entry(
                                item.transferId(),
                                route,
                                sha256.toLowerCase(Locale.ROOT),
                                null,
                                result.plaintextSha256(),
                                result.bytes(),
                                item.records(),
                                result.signerSummary().subject(),
                                item.sender(),
                                ReceiveJournal.State.PLACING,
                                Instant.now()));
            } catch (IOException e) {
                throw CliException.usage("cannot write into " + out + ": " + e.getMessage());
            }
            Handoff.Acked acked = handoff.acknowledge(placed);
            Plaintext.deleteQuietly(partial);
            listener.received(Received.of(placed, handoff.target(placed), acked, false));
        } finally {
            Plaintext.deleteQuietly(opened); // placed by a link, or never to be placed: the clear text goes
        }
    }

    @Override
    public void close() {
        try {
            guard.close();
        } finally {
            lock.close();
        }
    }
}

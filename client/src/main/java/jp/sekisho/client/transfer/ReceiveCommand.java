package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.PkiException;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.Timings;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.http.GatewayOptions;
import jp.sekisho.client.http.JsonOut;
import jp.sekisho.envelope.EnvelopeException;
import jp.sekisho.envelope.OpenResult;
import jp.sekisho.envelope.Opener;
import jp.sekisho.envelope.TrustAnchors;
import jp.sekisho.envelope.cli.RecipientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sekisho receive}: pull a route's deliveries, decrypt and verify them, and acknowledge each one. */
@Command(
        name = "receive",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Receives the transfers waiting on a route: downloads each envelope (resumable) into "
                    + "DIR/.sekisho-partial/ and, while it arrives, decrypts it with your key and verifies the sender's "
                    + "signature against --trust; once its SHA-256 matches the gateway's and tag and signature verified, writes "
                    + "the file into DIR under the sender's file name (never overwriting: a suffix is added), and only then "
                    + "acknowledges it, after which the gateway deletes its copy.",
            "",
            "A transfer that cannot be opened (altered, not for this key, untrusted signer) is not acknowledged and "
                    + "stays on the gateway: its reason goes to stderr, its envelope stays in DIR/.sekisho-partial/, and the "
                    + "other transfers are received all the same; it is not tried again in this run. With --once the exit "
                    + "code is then 1.",
            "Without --once it runs until interrupted (Ctrl-C), waiting on the inbox (the gateway holds each listing "
                    + "up to 25 s and answers as soon as a transfer is stored), so a new transfer is received at once.",
            "",
            "Exactly once, after any crash: a journal in DIR/.sekisho-partial/journal/ records each file placed and "
                    + "not yet acknowledged; the next run acknowledges such a transfer without downloading or writing it "
                    + "again (既に受領済み、確認応答のみ送信). Decrypted temporary files (.opened) are created readable by "
                    + "you only and deleted on every error, on SIGTERM/Ctrl-C, and at the start of the next run after a "
                    + "kill. One receive at a time per DIR (DIR/.sekisho-partial/.lock)."
        })
public final class ReceiveCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--route", required = true, paramLabel = "ID", description = "The route to receive from.")
    String route;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where received files are written.")
    Path out;

    @Mixin
    RecipientOptions recipient;

    @Option(names = "--once", description = "Receive what is waiting now, then exit.")
    boolean once;

    @Option(
            names = "--timings",
            description = "Print on stderr where the first round's time went: start-up, keys, the inbox (TLS "
                    + "handshake), downloading, opening, writing and acknowledging.")
    boolean timings;

    private Timings steps = Timings.of(false);

    @Option(
            names = "--interval",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = Units.DurationConverter.class,
            description = "Pause between listings of the inbox where the gateway cannot hold them (an older gateway, "
                    + "or one holding its limit of waiting listings), and after a round in which every listed transfer "
                    + "was refused. Default: ${DEFAULT-VALUE}.")
    Duration interval;

    @Option(
            names = "--retries",
            paramLabel = "N",
            defaultValue = "8",
            description =
                    "Retries in a row of a download after network failures or 5xx answers. Default: ${DEFAULT-VALUE}.")
    int retries;

    @Option(names = "--json", description = "Print one JSON object per received transfer.")
    boolean json;

    @Override
    public Integer call() {
        steps = Timings.of(timings);
        PrivateKey privateKey;
        X509Certificate certificate;
        TrustAnchors anchors;
        try {
            privateKey = Pem.readPrivateKey(recipient.key, recipient.keyPassword());
            certificate = recipient.cert == null ? null : Pem.readCertificate(recipient.cert);
            anchors = TrustAnchors.fromPem(recipient.trust);
        } catch (PkiException e) {
            throw CliException.usage(e.getMessage());
        }
        steps.mark("鍵 / keys and trust anchors");
        Path partialDir = out.resolve(".sekisho-partial");
        try {
            Files.createDirectories(partialDir);
        } catch (IOException e) {
            throw CliException.usage("--out " + out + ": " + e.getMessage());
        }
        GatewayClient client = gateway.client(GatewayOptions.TRANSFER_LISTENER);
        PrintWriter w = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (OutputLock lock = OutputLock.acquire(partialDir);
                Plaintext guard = Plaintext.guard(partialDir)) {
            int swept = Plaintext.sweep(partialDir);
            if (swept > 0) {
                err.printf(
                        "sekisho receive: 前回の実行が残した復号済み一時ファイルを削除しました（%d件） / removed %d decrypted"
                                + " temporary file(s) an interrupted run left in %s%n",
                        swept, swept, Printable.value(partialDir));
                err.flush();
            }
            ReceiveJournal journal = new ReceiveJournal(partialDir);
            Handoff handoff = new Handoff(client, route, out, journal);
            return poll(client, handoff, journal, partialDir, privateKey, certificate, anchors, w, err);
        }
    }

    private int poll(
            GatewayClient client,
            Handoff handoff,
            ReceiveJournal journal,
            Path partialDir,
            PrivateKey privateKey,
            X509Certificate certificate,
            TrustAnchors anchors,
            PrintWriter w,
            PrintWriter err) {
        // Transfers refused here (cannot be opened, wrong hash): they stay on the gateway, unacknowledged,
        // and are not tried again in this run, so that one of them cannot hold up all the others.
        Set<String> refused = new LinkedHashSet<>();
        InboxListing listing = new InboxListing(client, "api/v1/routes/" + Paths.segment(route) + "/inbox", err);
        while (true) {
            List<Object> inbox;
            Set<String> handled = new LinkedHashSet<>();
            boolean pause;
            // pause before listing again when the gateway did not hold this listing, or listed only transfers
            // refused in this run: listing again at once would spin
            try {
                InboxListing.Answer answer = listing.list(!once);
                inbox = answer.transfers();
                pause = !answer.waited() || !inbox.isEmpty();
                steps.mark("一覧 / inbox (TLS handshake, GET)");
                // first what an earlier run placed and did not get acknowledged, listed or not (the
                // gateway may have taken the acknowledgment and lost only its answer)
                for (ReceiveJournal.Entry e : journal.entries()) {
                    if (!e.route().equals(route) || refused.contains(e.transferId())) {
                        continue;
                    }
                    handled.add(e.transferId());
                    try {
                        handoff.recover(e)
                                .ifPresentOrElse(
                                        placed -> acknowledgeOnly(handoff, placed, partialDir, w, err),
                                        () -> handled.remove(e.transferId()));
                    } catch (CliException x) {
                        refuseOrThrow(x, e.transferId(), refused, err);
                    }
                }
                for (Object o : inbox) {
                    InboxItem item = InboxItem.of((Map<?, ?>) o);
                    if (refused.contains(item.transferId()) || handled.contains(item.transferId())) {
                        continue;
                    }
                    pause = false;
                    try {
                        receive(handoff, client, item, partialDir, privateKey, certificate, anchors, w, err);
                    } catch (CliException e) {
                        refuseOrThrow(e, item.transferId(), refused, err);
                    }
                }
            } catch (CliException e) {
                if (!once && Thread.currentThread().isInterrupted()) {
                    w.flush();
                    return ExitCode.OK; // stopped: a partial download stays for the next run, nothing was acknowledged
                    // half-way
                }
                throw e;
            }
            steps.mark("受信 / download, open, write, acknowledge");
            steps.print(err);
            steps = Timings.of(false); // the first round only: later polls reuse the connection
            if (once) {
                if (inbox.isEmpty() && handled.isEmpty() && !json) {
                    w.println("nothing waiting on route " + Printable.of(route));
                }
                w.flush();
                return refused.isEmpty() ? ExitCode.OK : ExitCode.REFUSED;
            }
            w.flush();
            if (!pause) {
                continue; // received something, or the gateway's wait ended with nothing stored
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return ExitCode.OK; // stopped between polls: nothing half done
            }
        }
    }

    /** A refusal is reported and the transfer left alone for this run; anything else ends the run. */
    private static void refuseOrThrow(CliException e, String transferId, Set<String> refused, PrintWriter err) {
        if (e.exitCode() != ExitCode.REFUSED) {
            throw e;
        }
        refused.add(transferId);
        err.println("sekisho receive: " + Printable.of(e.getMessage()));
        err.flush();
    }

    /** A transfer an earlier run placed: acknowledged with the recorded envelope SHA-256, nothing downloaded or written. */
    private void acknowledgeOnly(
            Handoff handoff, ReceiveJournal.Entry placed, Path partialDir, PrintWriter w, PrintWriter err) {
        Handoff.Acked acked = handoff.acknowledge(placed);
        Plaintext.deleteQuietly(partialDir.resolve(Durable.safeName(placed.transferId()) + ".cms"));
        report(placed, handoff.target(placed), acked, true, w, err);
    }

    private void receive(
            Handoff handoff,
            GatewayClient client,
            InboxItem item,
            Path partialDir,
            PrivateKey privateKey,
            X509Certificate certificate,
            TrustAnchors anchors,
            PrintWriter w,
            PrintWriter err) {
        InboxItem.refuseBadName(item);
        Path partial = partialDir.resolve(Durable.safeName(item.transferId()) + ".cms");
        Path opened = Plaintext.opened(partialDir, item.transferId());
        try {
            Downloader downloader =
                    new Downloader(client, route, Backoff.standard(retries), Progress.forTerminal("download"));
            ReceivePipeline pipeline = new ReceivePipeline(
                    downloader, source -> Opener.open(source, opened, privateKey, certificate, anchors));
            ReceivePipeline.Outcome outcome = pipeline.run(item.transferId(), item.size(), partial);
            String sha256 = outcome.sha256();
            if (!sha256.equalsIgnoreCase(item.sha256())) {
                // whatever the opener made of these bytes, they are not the ones the gateway stored
                Plaintext.deleteQuietly(partial);
                throw new CliException(
                        ExitCode.REFUSED,
                        "DOWNLOAD_HASH_MISMATCH: transfer " + item.transferId() + " downloaded with SHA-256 " + sha256
                                + ", the gateway lists " + item.sha256() + "; not acknowledged");
            }
            RuntimeException failure = outcome.openFailure();
            if (failure instanceof EnvelopeException e) {
                throw new CliException(
                        ExitCode.REFUSED,
                        e.reason() + ": transfer " + item.transferId() + " ("
                                + item.filename() + ") cannot be opened: " + e.getMessage()
                                + "; not acknowledged, envelope kept at "
                                + partial);
            }
            if (failure instanceof UncheckedIOException e) {
                throw CliException.usage("cannot open transfer " + item.transferId() + ": "
                        + e.getCause().getMessage());
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
            report(placed, handoff.target(placed), acked, false, w, err);
        } finally {
            Plaintext.deleteQuietly(opened); // placed by a link, or never to be placed: the clear text goes
        }
    }

    /** One line (or JSON object) per transfer received, or acknowledged only. */
    private void report(
            ReceiveJournal.Entry e, Path target, Handoff.Acked acked, boolean ackOnly, PrintWriter w, PrintWriter err) {
        if (acked.ack() == Handoff.Ack.ENDED) {
            err.printf(
                    "sekisho receive: 受領確認の前にゲートウェイ側で転送が終了しました（%s）。ファイルは残します / the gateway"
                            + " ended transfer %s as %s before it was acknowledged; the file %s stays%n",
                    Printable.of(acked.state()),
                    Printable.of(e.transferId()),
                    Printable.of(acked.state()),
                    Printable.value(target));
            err.flush();
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("transferId", e.transferId());
            m.put("file", target.toString());
            m.put("bytes", e.bytes());
            m.put("sha256", e.plaintextSha256());
            m.put("records", e.records());
            m.put("signer", e.signer());
            m.put("sender", e.sender());
            m.put("envelopeSha256", e.envelopeSha256());
            m.put("alreadyPlaced", ackOnly);
            m.put("acknowledgment", acked.ack().name());
            w.println(JsonOut.write(m));
        } else if (ackOnly) {
            w.printf(
                    "既に受領済み、確認応答のみ送信 / already placed as %s (%d bytes, %d records) by an earlier run: "
                            + "acknowledging only, transfer %s %s%n",
                    Printable.value(target),
                    e.bytes(),
                    e.records(),
                    Printable.of(e.transferId()),
                    switch (acked.ack()) {
                        case ACKNOWLEDGED -> "acknowledged";
                        case ALREADY_ACKNOWLEDGED -> "was acknowledged already (" + Printable.of(acked.state()) + ")";
                        case ENDED -> "not acknowledged (" + Printable.of(acked.state()) + ")";
                    });
        } else {
            w.printf(
                    "received %s (%d bytes, %d records) signed by %s, transfer %s, acknowledged%n",
                    Printable.value(target),
                    e.bytes(),
                    e.records(),
                    Printable.of(e.signer()),
                    Printable.of(e.transferId()));
        }
        w.flush();
    }
}

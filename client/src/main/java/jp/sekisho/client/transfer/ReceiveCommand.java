package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.PkiException;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.http.GatewayOptions;
import jp.sekisho.client.http.JsonOut;
import jp.sekisho.envelope.EnvelopeException;
import jp.sekisho.envelope.OpenResult;
import jp.sekisho.envelope.Opener;
import jp.sekisho.envelope.TrustAnchors;
import jp.sekisho.envelope.cli.RecipientOptions;
import jp.sekisho.gateway.input.FileNames;
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
            "Without --once it polls every --interval until interrupted (Ctrl-C)."
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
            names = "--interval",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = Units.DurationConverter.class,
            description = "Time between polls of the inbox. Default: ${DEFAULT-VALUE}.")
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

    /** One waiting transfer, as the inbox lists it. */
    record Item(String transferId, String filename, long size, String sha256, long records, String sender) {
        static Item of(Map<?, ?> m) {
            return new Item(
                    String.valueOf(m.get("transferId")),
                    m.get("filename") == null ? null : String.valueOf(m.get("filename")),
                    ((Number) m.get("size")).longValue(),
                    String.valueOf(m.get("sha256")),
                    m.get("records") == null ? -1 : ((Number) m.get("records")).longValue(),
                    m.get("sender") == null ? "" : String.valueOf(m.get("sender")));
        }
    }

    @Override
    public Integer call() {
        PrivateKey privateKey;
        X509Certificate certificate;
        TrustAnchors anchors;
        try {
            privateKey = Pem.readPrivateKey(recipient.key, recipient.keyPassword);
            certificate = recipient.cert == null ? null : Pem.readCertificate(recipient.cert);
            anchors = TrustAnchors.fromPem(recipient.trust);
        } catch (PkiException e) {
            throw CliException.usage(e.getMessage());
        }
        Path partialDir = out.resolve(".sekisho-partial");
        try {
            Files.createDirectories(partialDir);
        } catch (IOException e) {
            throw CliException.usage("--out " + out + ": " + e.getMessage());
        }
        GatewayClient client = gateway.client(GatewayOptions.TRANSFER_LISTENER);
        PrintWriter w = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // Transfers refused here (cannot be opened, wrong hash): they stay on the gateway, unacknowledged,
        // and are not tried again in this run, so that one of them cannot hold up all the others.
        Set<String> refused = new LinkedHashSet<>();
        while (true) {
            List<Object> inbox;
            try {
                inbox = client.get("api/v1/routes/" + Paths.segment(route) + "/inbox")
                        .array();
                for (Object o : inbox) {
                    Item item = Item.of((Map<?, ?>) o);
                    if (refused.contains(item.transferId())) {
                        continue;
                    }
                    try {
                        receive(client, item, partialDir, privateKey, certificate, anchors, w);
                    } catch (CliException e) {
                        if (e.exitCode() != ExitCode.REFUSED) {
                            throw e;
                        }
                        refused.add(item.transferId());
                        err.println("sekisho receive: " + Printable.of(e.getMessage()));
                        err.flush();
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
            if (once) {
                if (inbox.isEmpty() && !json) {
                    w.println("nothing waiting on route " + Printable.of(route));
                }
                w.flush();
                return refused.isEmpty() ? ExitCode.OK : ExitCode.REFUSED;
            }
            w.flush();
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return ExitCode.OK; // stopped between polls: nothing half done
            }
        }
    }

    private void receive(
            GatewayClient client,
            Item item,
            Path partialDir,
            PrivateKey privateKey,
            X509Certificate certificate,
            TrustAnchors anchors,
            PrintWriter w) {
        refuseBadName(item);
        String safeId = item.transferId().replaceAll("[^A-Za-z0-9._-]", "_");
        Path partial = partialDir.resolve(safeId + ".cms");
        Path opened = partialDir.resolve(safeId + ".opened");
        Downloader downloader =
                new Downloader(client, route, Backoff.standard(retries), Progress.forTerminal("download"));
        ReceivePipeline pipeline = new ReceivePipeline(
                downloader, source -> Opener.open(source, opened, privateKey, certificate, anchors));
        ReceivePipeline.Outcome outcome = pipeline.run(item.transferId(), item.size(), partial);
        String sha256 = outcome.sha256();
        if (!sha256.equalsIgnoreCase(item.sha256())) {
            // whatever the opener made of these bytes, they are not the ones the gateway stored
            SendCommand.deleteQuietly(opened);
            SendCommand.deleteQuietly(partial);
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
        Path target;
        try {
            target = place(opened, out, outputName(item.filename(), item.transferId()));
        } catch (IOException e) {
            SendCommand.deleteQuietly(opened);
            throw CliException.usage("cannot write into " + out + ": " + e.getMessage());
        }
        client.post(
                "api/v1/routes/" + Paths.segment(route) + "/transfers/" + Paths.segment(item.transferId()) + "/ack",
                JsonOut.write(Map.of("sha256", sha256)));
        SendCommand.deleteQuietly(partial);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("transferId", item.transferId());
            m.put("file", target.toString());
            m.put("bytes", result.bytes());
            m.put("sha256", result.plaintextSha256());
            m.put("records", item.records());
            m.put("signer", result.signerSummary().subject());
            m.put("sender", item.sender());
            m.put("envelopeSha256", sha256);
            m.put("cipher", result.cipher().displayName());
            w.println(JsonOut.write(m));
        } else {
            w.printf(
                    "received %s (%d bytes, %d records) signed by %s, transfer %s, acknowledged%n",
                    Printable.value(target),
                    result.bytes(),
                    item.records(),
                    Printable.of(result.signerSummary().subject()),
                    Printable.of(item.transferId()));
        }
        w.flush();
    }

    /**
     * Refuses, before a byte is downloaded or written, a transfer whose file name breaks the gateway's
     * rule ({@link FileNames}): a gateway that let one through (an older version, or a tampered row) must
     * not make the receiver write {@code ..} or a name that reads as another file. Not acknowledged: the
     * transfer stays on the gateway for someone to look at.
     */
    static void refuseBadName(Item item) {
        if (item.filename() == null) {
            return; // named by its transfer id (outputName)
        }
        FileNames.problem(item.filename()).ifPresent(p -> {
            throw new CliException(
                    ExitCode.REFUSED,
                    "FILENAME_INVALID: 送信元のファイル名が規則に反するため受信しません（何も書き込まず、受領確認もしません）"
                            + " / transfer " + item.transferId() + " is not received: " + p
                            // raw here: every CLI error line is printed through Printable, once
                            + " (" + item.filename() + "); nothing written, not acknowledged");
        });
    }

    /**
     * The file name to write: the sender's name without any folder part, without a trailing
     * {@code .cms}/{@code .p7m} (what is written is the opened content), and never hidden.
     */
    static String outputName(String filename, String transferId) {
        String n = filename == null ? "" : filename;
        n = n.substring(Math.max(n.lastIndexOf('/'), n.lastIndexOf('\\')) + 1);
        n = n.replaceAll("[\\x00-\\x1f]", "_");
        String lower = n.toLowerCase(java.util.Locale.ROOT);
        if ((lower.endsWith(".cms") || lower.endsWith(".p7m")) && n.length() > 4) {
            n = n.substring(0, n.length() - 4);
        }
        while (n.startsWith(".")) {
            n = n.substring(1);
        }
        return n.isBlank() ? "transfer-" + transferId.replaceAll("[^A-Za-z0-9._-]", "_") : n;
    }

    /**
     * Moves {@code file} into {@code dir} under {@code name}, or {@code name-1}, {@code name-2}, ...
     * (before the extension) when taken: a hard link never replaces an existing file, so no race can
     * overwrite one; where links are not supported, a move without REPLACE_EXISTING.
     */
    static Path place(Path file, Path dir, String name) throws IOException {
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        for (int i = 0; ; i++) {
            Path target = dir.resolve(i == 0 ? name : base + "-" + i + ext);
            try {
                try {
                    Files.createLink(target, file);
                    Files.delete(file);
                } catch (UnsupportedOperationException e) {
                    // a file system without hard links (some network shares): a move without
                    // REPLACE_EXISTING still refuses to overwrite
                    Files.move(file, target);
                }
                return target;
            } catch (FileAlreadyExistsException e) {
                if (i > 10_000) {
                    throw e;
                }
            }
        }
    }
}

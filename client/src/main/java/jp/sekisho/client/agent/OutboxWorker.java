package jp.sekisho.client.agent;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.Timings;
import jp.sekisho.client.transfer.FileSender;
import jp.sekisho.client.transfer.ItemsMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what is dropped into one outbox, each file once: claim (journal, then rename into
 * {@code sending/}), send (the send state keeps the envelope and upload URL until the receipt), store
 * the receipt in {@code sent/NAME.receipt.json}, move the file to {@code sent/}, and only then drop the
 * send state and the journal entry. A kill at any step leaves either a send to resume or a receipt
 * already stored; never a second transfer. Refusals and input errors go to {@code failed/} with
 * {@code NAME.reason.txt}; a gateway that cannot be reached keeps the file and is tried again with backoff.
 */
final class OutboxWorker {

    private static final Logger LOG = LoggerFactory.getLogger("jp.sekisho.client.agent.outbox");
    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");
    private static final Pattern CODE = Pattern.compile("^([A-Z][A-Z0-9_]{2,63}):");

    /** What one pass did; {@code held}: files kept in sending/ after an unexpected error, tried again later. */
    record Pass(int sent, int failed, int held) {}

    /** A file whose last try ended in an unexpected error: its own backoff, so the others go on meanwhile. */
    private static final class Held {
        final Retry retry;
        long nextTryNanos;

        Held(Retry retry) {
            this.retry = retry;
        }
    }

    private final OutboxFolder box;
    private final FileSender sender;
    private final ItemsMap itemsMap;
    private final Retry retry;
    /** By claimed name; only this worker's thread touches it. */
    private final Map<String, Held> held = new HashMap<>();

    OutboxWorker(OutboxFolder box, FileSender sender, ItemsMap itemsMap, Retry retry) {
        this.box = box;
        this.sender = sender;
        this.itemsMap = itemsMap;
        this.retry = retry;
    }

    String route() {
        return box.config.route();
    }

    /**
     * Claims every complete file, then finishes every claim (what an earlier run left first).
     *
     * @throws CliException exit 3 when the gateway cannot be reached (what is claimed stays claimed)
     */
    Pass pass() throws IOException {
        for (Path f : box.complete()) {
            box.claim(f);
        }
        int sent = 0;
        int failed = 0;
        int kept = 0;
        for (Claim c : box.pending()) {
            Held h = held.get(c.claimed());
            if (h != null && System.nanoTime() - h.nextTryNanos < 0) {
                kept++;
                continue;
            }
            try {
                if (process(c)) {
                    sent++;
                } else {
                    failed++;
                }
                held.remove(c.claimed());
            } catch (IOException | RuntimeException e) {
                if (e instanceof CliException x && x.exitCode() == ExitCode.UNAVAILABLE) {
                    throw x; // the gateway cannot be reached: every file waits, not this one alone
                }
                kept++;
                hold(c, e);
            }
        }
        return new Pass(sent, failed, kept);
    }

    /**
     * An error no reason code covers (the disk, a folder an operator changed, a fault of ours) stays
     * with its file: the file is kept in sending/ with its send state, since the gateway may have
     * stored it already (moving it to failed/ could make someone drop it again: a second transfer),
     * and is tried again after its own backoff while the files behind it go on.
     */
    private void hold(Claim c, Exception e) {
        Held h = held.computeIfAbsent(c.claimed(), k -> new Held(retry.fresh()));
        boolean first = h.retry.failed();
        java.time.Duration wait = h.retry.delay();
        h.nextTryNanos = System.nanoTime() + wait.toNanos();
        String message = "送信中にエラーが起きたためファイルを保留し、他のファイルを先に送ります / file held back after an"
                + " unexpected error, the other files go on: route={} file={} error={} next try in {} s";
        if (first) {
            LOG.error(message, route(), Printable.of(c.claimed()), Printable.of(e.toString()), wait.toSeconds(), e);
        } else {
            LOG.warn(message, route(), Printable.of(c.claimed()), Printable.of(e.toString()), wait.toSeconds());
        }
    }

    /** Runs until interrupted: a pass on every change in the folder, and every {@code poll} in any case. */
    void run(java.time.Duration poll) {
        WatchService watch = null;
        try {
            watch = box.folder.getFileSystem().newWatchService();
            box.folder.register(watch, StandardWatchEventKinds.ENTRY_CREATE); // a rename into the folder, a new marker
        } catch (IOException | UnsupportedOperationException e) {
            LOG.info("フォルダの監視を使えないため {} ごとに確認します / cannot watch {} ({}): scanning every {}", poll, box.folder, e, poll);
        }
        try {
            while (!Thread.currentThread().isInterrupted()) {
                java.time.Duration wait = poll;
                try {
                    pass();
                    if (retry.succeeded()) {
                        LOG.info("ゲートウェイに再び接続できました / gateway reachable again: route={}", route());
                    }
                } catch (CliException e) {
                    if (Thread.currentThread().isInterrupted()) {
                        return; // stopped (SIGTERM, or the test): a send in progress keeps its state
                    }
                    if (retry.failed()) {
                        LOG.warn(
                                "ゲートウェイに接続できません。ファイルは保持し、再試行します / gateway unavailable, files kept, retrying"
                                        + " with backoff: route={} {}",
                                route(),
                                Printable.of(e.getMessage()));
                    }
                    wait = retry.delay();
                } catch (IOException | RuntimeException e) {
                    if (retry.failed()) {
                        LOG.error("送信フォルダを処理できません。再試行します / cannot work on outbox {}, retrying", box.folder, e);
                    }
                    wait = retry.delay();
                }
                if (!await(watch, retry.down() ? null : watch, wait)) {
                    return;
                }
            }
        } finally {
            if (watch != null) {
                try {
                    watch.close();
                } catch (IOException ignored) {
                    // closing a watch loses nothing
                }
            }
        }
    }

    /** Waits for a change in the folder or {@code wait}; false when interrupted. While backing off, changes do not cut the wait short. */
    private static boolean await(WatchService watch, WatchService wake, java.time.Duration wait) {
        try {
            if (wake == null) {
                Thread.sleep(wait.toMillis());
                if (watch != null) {
                    drain(watch);
                }
                return true;
            }
            WatchKey key = wake.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (key != null) {
                key.pollEvents();
                key.reset();
                drain(wake);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ClosedWatchServiceException e) {
            return false;
        }
    }

    private static void drain(WatchService watch) {
        WatchKey k;
        while ((k = watch.poll()) != null) {
            k.pollEvents();
            k.reset();
        }
    }

    /** Finishes one claim: true when the file is in sent/, false when in failed/. */
    private boolean process(Claim c) throws IOException {
        Path file = box.sending(c);
        Path receipt = box.receipt(c);
        Path failedReason = box.failed.resolve(c.claimed() + OutboxFolder.REASON);
        if (Files.exists(receipt, LinkOption.NOFOLLOW_LINKS)) {
            // stored and its receipt kept by a run killed before the move: finish, send nothing
            AgentFiles.move(file, box.sent.resolve(c.claimed()));
            FileSender.forget(file, route());
            box.forget(c);
            LOG.info(
                    "送信済み（前回の実行の続き） / sent (finished what an earlier run stored): route={} file={}",
                    route(),
                    Printable.of(c.claimed()));
            return true;
        }
        if (Files.exists(failedReason, LinkOption.NOFOLLOW_LINKS)) {
            AgentFiles.move(file, box.failed.resolve(c.claimed()));
            box.forget(c);
            return false;
        }
        if (c.markerProblem() != null) {
            return fail(c, CliException.usage(c.markerProblem()));
        }
        if (box.config.recordsFrom() == AgentConfig.RecordsFrom.CSV
                && box.config.itemsMap() == null
                && !c.original().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            return fail(
                    c,
                    CliException.usage("CSV ファイルではありません（名前が .csv で終わりません）。件数をマーカーで渡すには records-from:"
                            + " done-marker を設定し FILE.done に件数を書いてください。 not a CSV file (its name does not end in"
                            + " .csv): to send other files, set records-from: done-marker and write the record count into"
                            + " FILE.done"));
        }
        long started = System.nanoTime();
        FileSender.Sent sent;
        try {
            sent = sender.send(
                    FileSender.Options.agent(
                            route(), file, c.original() + ".cms", c.records(), itemsMap, box.config.chunkSize()),
                    Timings.of(false),
                    false);
        } catch (CliException e) {
            if (e.exitCode() == ExitCode.UNAVAILABLE) {
                throw e; // the state stays: the next try resumes the same upload
            }
            return fail(c, e);
        }
        AgentFiles.writeAtomically(receipt, sent.receipt().json() + "\n");
        long bytes = Files.size(file);
        AgentFiles.move(file, box.sent.resolve(c.claimed()));
        sent.done();
        box.forget(c);
        LOG.info(
                "送信しました / sent: route={} file={} transfer={} bytes={} records={} seconds={}",
                route(),
                Printable.of(c.claimed()),
                Printable.of(sent.receipt().get("transferId")),
                bytes,
                Printable.of(sent.receipt().get("records")),
                String.format(Locale.ROOT, "%.3f", (System.nanoTime() - started) / 1e9));
        return true;
    }

    /** Refused or not sendable: the reason beside the file in failed/, durable before the file moves. */
    private boolean fail(Claim c, CliException e) throws IOException {
        String code = reasonCode(e);
        AgentFiles.writeAtomically(box.failed.resolve(c.claimed() + OutboxFolder.REASON), reasonText(c, code, e));
        AgentFiles.move(box.sending(c), box.failed.resolve(c.claimed()));
        box.forget(c);
        LOG.warn(
                "送信できませんでした / failed: route={} file={} reason={} {}",
                route(),
                Printable.of(c.claimed()),
                code,
                Printable.of(e.getMessage()));
        return false;
    }

    /** The reason code a refusal starts with; without one, REFUSED (exit 1) or INPUT_ERROR (exit 2). */
    static String reasonCode(CliException e) {
        Matcher m = CODE.matcher(e.getMessage() == null ? "" : e.getMessage());
        if (m.find()) {
            return m.group(1);
        }
        return e.exitCode() == ExitCode.REFUSED ? "REFUSED" : "INPUT_ERROR";
    }

    private String reasonText(Claim c, String code, CliException e) {
        boolean refused = e.exitCode() == ExitCode.REFUSED;
        return "reason: " + code + "\n"
                + "time: " + ZonedDateTime.now(TOKYO).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + " (Asia/Tokyo)\n"
                + "route: " + route() + "\n"
                + "file: " + Printable.of(c.original()) + "\n"
                + (refused
                        ? "承認の条件または経路の設定により拒否されました。何も送信していません。"
                                + "理由を確認し、ファイル（または承認・経路）を直してから送信フォルダへ置き直してください。\n"
                                + "Refused by the approval's terms or the route: nothing was sent. Correct the file (or have the"
                                + " approval or route corrected), then drop it into the outbox again.\n"
                        : "入力ファイルの誤りのため送信できませんでした。何も送信していません。ファイルを直してから送信フォルダへ置き直してください。\n"
                                + "The file cannot be sent as it is: nothing was sent. Correct it, then drop it into the outbox"
                                + " again.\n")
                + "message: " + Printable.of(e.getMessage()) + "\n";
    }
}

package jp.sekisho.client.transfer;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.http.JsonOut;
import jp.sekisho.client.transfer.ReceiveJournal.Entry;
import jp.sekisho.client.transfer.ReceiveJournal.State;

/**
 * The receiver's side of the hand-off, exactly once: a verified file goes into the output folder
 * under a journal entry (PLACING, then PLACED once it is there and on disk), and only then is the
 * transfer acknowledged; the entry goes once the gateway confirmed. After a crash anywhere in
 * between, {@link #recover} tells from the entry and the folder whether the file is there, so the
 * next run acknowledges it instead of writing it a second time.
 */
final class Handoff {

    /** What the gateway made of an acknowledgment. */
    enum Ack {
        /** Acknowledged now: the gateway deleted its copy. */
        ACKNOWLEDGED,
        /** An earlier run's acknowledgment had reached the gateway (its answer was lost). */
        ALREADY_ACKNOWLEDGED,
        /** The gateway ended the transfer otherwise (expired, aborted) before any acknowledgment. */
        ENDED
    }

    /** The acknowledgment's outcome, and the transfer's state when the gateway would not take it. */
    record Acked(Ack ack, String state) {}

    private final GatewayClient client;
    private final String route;
    private final Path out;
    private final ReceiveJournal journal;

    Handoff(GatewayClient client, String route, Path out, ReceiveJournal journal) {
        this.client = client;
        this.route = route;
        this.out = out;
        this.journal = journal;
    }

    /**
     * Moves the verified {@code opened} file into the output folder under {@code name}, or
     * {@code name-1}, {@code name-2}, ... (before the extension) when taken, never replacing a file:
     * journal PLACING with the name, the file's bytes to disk, a hard link (a move without
     * REPLACE_EXISTING where links are not supported), the folder to disk, journal PLACED.
     *
     * @param entry the transfer's entry; its file name and state are set here
     */
    Entry place(Path opened, String name, Entry entry) throws IOException {
        Durable.syncFile(opened);
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        for (int i = 0; i <= 10_000; i++) {
            String candidate = i == 0 ? name : base + "-" + i + ext;
            Path target = out.resolve(candidate);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            journal.write(entry.with(State.PLACING, candidate));
            try {
                try {
                    Files.createLink(target, opened); // never replaces: a race with another writer loses cleanly
                    Files.delete(opened);
                } catch (UnsupportedOperationException e) {
                    Files.move(opened, target); // some network shares: still refuses to overwrite
                }
            } catch (FileAlreadyExistsException e) {
                continue; // taken meanwhile: the next name (the entry follows it)
            }
            Durable.syncDirectory(out);
            Entry placed = entry.with(State.PLACED, candidate);
            journal.write(placed);
            return placed;
        }
        throw new FileAlreadyExistsException(out.resolve(name).toString(), null, "and 10000 numbered names");
    }

    /**
     * An entry an earlier run left: PLACED as it is; PLACING promoted to PLACED when its file is in
     * the folder with the recorded size and SHA-256 (the crash came after the link), otherwise
     * removed, for the transfer to be received again (nothing of it was placed).
     */
    Optional<Entry> recover(Entry e) {
        if (e.state() == State.PLACED) {
            return Optional.of(e);
        }
        Path target = target(e);
        try {
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
                    && Files.size(target) == e.bytes()
                    && FileRegion.sha256Hex(target).equalsIgnoreCase(e.plaintextSha256())) {
                Entry placed = e.with(State.PLACED, e.file());
                journal.write(placed);
                return Optional.of(placed);
            }
        } catch (IOException x) {
            throw CliException.usage("cannot read " + target + ": " + x.getMessage());
        }
        journal.remove(e.transferId());
        return Optional.empty();
    }

    /** The file an entry names, which must be directly in the output folder. */
    Path target(Entry e) {
        Path target = out.resolve(e.file());
        if (!out.equals(target.getParent()) || e.file().startsWith(".")) {
            throw CliException.usage("受信記録のファイル名が不正です / the receive journal names '" + e.file() + "' for transfer "
                    + e.transferId() + ", which is not a file of " + out);
        }
        return target;
    }

    /**
     * Acknowledges a PLACED transfer with the envelope SHA-256 it was verified against and removes
     * its entry once the gateway answered for good. A network failure or a refusal keeps the entry:
     * the next run acknowledges again, and still writes nothing.
     */
    Acked acknowledge(Entry e) {
        String path = "api/v1/routes/" + Paths.segment(route) + "/transfers/" + Paths.segment(e.transferId());
        HttpRequest req = HttpRequest.newBuilder(client.resolve(path + "/ack"))
                .timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        JsonOut.write(Map.of("sha256", e.envelopeSha256())), StandardCharsets.UTF_8))
                .build();
        GatewayClient.Response r = client.answer(req);
        Acked acked;
        if (r.status() < 300) {
            acked = new Acked(Ack.ACKNOWLEDGED, null);
        } else if (r.status() == 409 || r.status() == 404) {
            // today's gateway answers an acknowledgment of an ended transfer 409 TRANSFER_NOT_DELIVERABLE
            // (404 once it is not listed): its state says whether that acknowledgment was ours
            String state = state(path);
            if (state == null || state.equals("STORED") || state.equals("DELIVERED")) {
                throw GatewayClient.problem(r);
            }
            acked = new Acked(
                    state.equals("ACKNOWLEDGED") || state.equals("PURGED") ? Ack.ALREADY_ACKNOWLEDGED : Ack.ENDED,
                    state);
        } else {
            throw GatewayClient.problem(r);
        }
        journal.remove(e.transferId());
        return acked;
    }

    /** The transfer's state on the gateway, or null when it does not know it (any more). */
    private String state(String path) {
        try {
            Object s = client.get(path).object().get("state");
            return s == null ? null : s.toString();
        } catch (CliException x) {
            if (x.exitCode() == ExitCode.REFUSED && x.getMessage().startsWith("TRANSFER_UNKNOWN")) {
                return "UNKNOWN";
            }
            throw x;
        }
    }
}

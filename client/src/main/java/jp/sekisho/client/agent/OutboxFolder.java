package jp.sekisho.client.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;

/**
 * One outbox folder and the agent's folders inside it: {@code sent/} and {@code failed/} for the
 * operator, and the private {@code .sekisho-agent/} (0700) with {@code sending/} (files claimed and
 * not yet finished, with their send state) and {@code journal/} (one entry per claimed file). All on
 * one file system, so every move is an atomic rename. An outbox is held by one agent at a time
 * ({@code .sekisho-agent/lock}).
 */
final class OutboxFolder implements AutoCloseable {

    static final String WORK = ".sekisho-agent";
    static final String DONE = ".done";
    static final String RECEIPT = ".receipt.json";
    static final String REASON = ".reason.txt";
    /** A record count in a marker: at most 15 digits. */
    private static final int MAX_MARKER_BYTES = 64;

    final AgentConfig.Outbox config;
    final Path folder;
    final Path sent;
    final Path failed;
    final Path sending;
    final Path journal;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private OutboxFolder(AgentConfig.Outbox config, FileChannel lockChannel, FileLock lock) {
        this.config = config;
        this.folder = config.folder();
        this.sent = folder.resolve("sent");
        this.failed = folder.resolve("failed");
        this.sending = folder.resolve(WORK).resolve("sending");
        this.journal = folder.resolve(WORK).resolve("journal");
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates the folders and locks the outbox for this agent.
     *
     * @throws CliException exit 3 when another agent holds it, exit 2 when the folders cannot be made
     */
    static OutboxFolder open(AgentConfig.Outbox config) {
        Path work = config.folder().resolve(WORK);
        try {
            AgentFiles.folder(work, true);
            AgentFiles.folder(work.resolve("sending"), true);
            AgentFiles.folder(work.resolve("journal"), true);
            AgentFiles.folder(config.folder().resolve("sent"), false);
            AgentFiles.folder(config.folder().resolve("failed"), false);
            FileChannel ch =
                    FileChannel.open(work.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                throw new CliException(
                        ExitCode.UNAVAILABLE,
                        "別のエージェントがこの送信フォルダを使用中です。 another agent uses the outbox " + config.folder() + " ("
                                + work.resolve("lock") + " is locked). 次に: 一つのフォルダは一つのエージェントだけに"
                                + "設定してください。 next: give each outbox folder to one agent only.");
            }
            return new OutboxFolder(config, ch, lock);
        } catch (IOException e) {
            throw CliException.usage("送信フォルダに作業フォルダを作れません。 cannot make the agent's folders in " + config.folder() + ": "
                    + e.getMessage());
        }
    }

    /** The files complete in the outbox now, oldest first. */
    List<Path> complete() throws IOException {
        record Candidate(Path path, Instant modified) {}
        List<Candidate> found = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(folder)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || !isComplete(p, name)) {
                    continue;
                }
                try {
                    BasicFileAttributes a =
                            Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (a.isRegularFile()) { // not a folder, not a link to a file elsewhere
                        found.add(new Candidate(p, a.lastModifiedTime().toInstant()));
                    }
                } catch (NoSuchFileException gone) {
                    // renamed away meanwhile
                }
            }
        }
        found.sort(Comparator.comparing(Candidate::modified)
                .thenComparing(c -> c.path().getFileName()));
        return found.stream().map(Candidate::path).toList();
    }

    private boolean isComplete(Path p, String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(DONE)) {
            return false;
        }
        return switch (config.complete()) {
            case RENAME -> !lower.endsWith(".tmp") && !lower.endsWith(".part");
            case DONE_MARKER -> Files.isRegularFile(p.resolveSibling(name + DONE), LinkOption.NOFOLLOW_LINKS);
        };
    }

    /**
     * Takes {@code file} out of the outbox: the journal entry is written and made durable first, then
     * the marker goes, then the file is renamed into {@code sending/}. A crash in between leaves an
     * entry that {@link #pending()} finishes.
     */
    Claim claim(Path file) throws IOException {
        String original = file.getFileName().toString();
        Long records = null;
        String problem = null;
        if (config.recordsFrom() == AgentConfig.RecordsFrom.DONE_MARKER) {
            try {
                records = markerCount(file.resolveSibling(original + DONE));
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
        }
        Claim c = new Claim(original, uniqueName(original), Instant.now().toString(), records, problem);
        AgentFiles.writeAtomically(journal.resolve(c.claimed() + ".json"), c.json());
        finishClaim(c);
        return c;
    }

    /** Steps after the journal entry: the marker goes, the file moves into sending/. */
    private void finishClaim(Claim c) throws IOException {
        if (config.complete() == AgentConfig.Complete.DONE_MARKER) {
            Files.deleteIfExists(folder.resolve(c.original() + DONE));
        }
        Path from = folder.resolve(c.original());
        if (Files.exists(from, LinkOption.NOFOLLOW_LINKS)
                && !Files.exists(sending.resolve(c.claimed()), LinkOption.NOFOLLOW_LINKS)) {
            AgentFiles.move(from, sending.resolve(c.claimed()));
        }
    }

    /**
     * The claims the journal holds, oldest first, each with its file in sending/ (a claim a crash cut
     * short is finished first). Entries whose file is already in sent/ or failed/, or gone, are dropped.
     */
    List<Claim> pending() throws IOException {
        List<Claim> out = new ArrayList<>();
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(journal, "*.json")) {
            s.forEach(entries::add);
        }
        entries.sort(Comparator.comparing(Path::getFileName));
        for (Path e : entries) {
            Optional<Claim> c = Claim.parse(Files.readString(e, StandardCharsets.UTF_8));
            if (c.isEmpty()) {
                continue; // torn: written before the file moved, so the file is still in the outbox
            }
            Claim claim = c.get();
            if (!Files.exists(sending.resolve(claim.claimed()), LinkOption.NOFOLLOW_LINKS)) {
                finishClaim(claim);
            }
            if (Files.exists(sending.resolve(claim.claimed()), LinkOption.NOFOLLOW_LINKS)) {
                out.add(claim);
            } else {
                forget(claim); // finished already (sent/ or failed/), or the file is gone
            }
        }
        out.sort(Comparator.comparing(Claim::claimedAt));
        return out;
    }

    /** The claim is finished: its journal entry goes. */
    void forget(Claim c) throws IOException {
        Files.deleteIfExists(journal.resolve(c.claimed() + ".json"));
        AgentFiles.syncDirectory(journal);
    }

    Path sending(Claim c) {
        return sending.resolve(c.claimed());
    }

    Path receipt(Claim c) {
        return sent.resolve(c.claimed() + RECEIPT);
    }

    /** A name free in sending/, sent/, failed/ and the journal: the original, else NAME~2.EXT, NAME~3.EXT, … */
    private String uniqueName(String original) {
        int dot = original.lastIndexOf('.');
        String stem = dot > 0 ? original.substring(0, dot) : original;
        String ext = dot > 0 ? original.substring(dot) : "";
        for (int n = 1; ; n++) {
            String name = n == 1 ? original : stem + "~" + n + ext;
            if (free(name)) {
                return name;
            }
        }
    }

    private boolean free(String name) {
        for (Path p : List.of(
                sending.resolve(name),
                sent.resolve(name),
                sent.resolve(name + RECEIPT),
                failed.resolve(name),
                failed.resolve(name + REASON),
                journal.resolve(name + ".json"))) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
        }
        return true;
    }

    /** The record count a marker holds: one number, 0 or more, on its first line. */
    static long markerCount(Path marker) {
        String text;
        try {
            if (Files.size(marker) > MAX_MARKER_BYTES) {
                throw new IllegalArgumentException("マーカーが長すぎます。 the marker " + marker.getFileName() + " is longer than "
                        + MAX_MARKER_BYTES + " bytes (it holds only the record count)");
            }
            text = Files.readString(marker, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "マーカーを読めません。 cannot read the marker " + marker.getFileName() + ": " + e.getMessage());
        }
        if (!text.matches("[0-9]{1,15}")) {
            throw new IllegalArgumentException("マーカーに件数がありません。 the marker " + marker.getFileName()
                    + " must hold the record count (a number), e.g. `echo 1000 > FILE.done`");
        }
        return Long.parseLong(text);
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
    }
}

package jp.sekisho.client.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jp.sekisho.audit.json.Json;
import jp.sekisho.cli.CliException;
import jp.sekisho.client.http.JsonOut;

/**
 * What {@code receive} has put into the output folder and not yet had acknowledged, one small JSON
 * file per transfer in {@code DIR/.sekisho-partial/journal/}, so that a run after a crash
 * acknowledges a transfer it already placed instead of writing it a second time.
 *
 * <p>An entry is written PLACING (with the name it is about to take) before the file is placed,
 * PLACED once the file is in the folder (and on disk), and removed once the gateway confirmed the
 * acknowledgment: the gateway's final receipt is the record of a finished transfer, and a purged
 * transfer never comes back to the inbox, so the journal only ever holds transfers in flight. Every
 * write is atomic and durable: a temporary file, fsync, rename over the entry, fsync of the folder.
 */
final class ReceiveJournal {

    /** How far the hand-off of one transfer went; an acknowledged transfer has no entry. */
    enum State {
        /** About to be placed under {@link Entry#file()}: the file may or may not be there. */
        PLACING,
        /** In the output folder under {@link Entry#file()}; only the acknowledgment is missing. */
        PLACED
    }

    /** One transfer in flight: enough to acknowledge it, and to tell the person what was placed. */
    record Entry(
            String transferId,
            String route,
            String envelopeSha256,
            String file,
            String plaintextSha256,
            long bytes,
            long records,
            String signer,
            String sender,
            State state,
            Instant updatedAt) {

        Entry with(State s, String name) {
            return new Entry(
                    transferId,
                    route,
                    envelopeSha256,
                    name,
                    plaintextSha256,
                    bytes,
                    records,
                    signer,
                    sender,
                    s,
                    Instant.now());
        }

        String json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("transferId", transferId);
            m.put("route", route);
            m.put("envelopeSha256", envelopeSha256);
            m.put("file", file);
            m.put("plaintextSha256", plaintextSha256);
            m.put("bytes", bytes);
            m.put("records", records);
            m.put("signer", signer);
            m.put("sender", sender);
            m.put("state", state.name());
            m.put("updatedAt", updatedAt.toString());
            return JsonOut.write(m);
        }

        static Entry parse(String text) {
            Map<String, Object> m = Json.parseObject(text);
            return new Entry(
                    str(m, "transferId"),
                    str(m, "route"),
                    str(m, "envelopeSha256"),
                    str(m, "file"),
                    str(m, "plaintextSha256"),
                    ((Number) m.get("bytes")).longValue(),
                    ((Number) m.get("records")).longValue(),
                    str(m, "signer"),
                    str(m, "sender"),
                    State.valueOf(str(m, "state")),
                    Instant.parse(str(m, "updatedAt")));
        }

        private static String str(Map<String, Object> m, String key) {
            Object v = m.get(key);
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException("no '" + key + "'");
            }
            return s;
        }
    }

    private static final String SUFFIX = ".json";
    private static final String TEMP_SUFFIX = ".json.tmp";

    private final Path dir;

    /** The journal of {@code partialDir} ({@code DIR/.sekisho-partial}); its folder is made on the first write. */
    ReceiveJournal(Path partialDir) {
        this.dir = partialDir.resolve("journal");
    }

    Path dir() {
        return dir;
    }

    /** Every entry; an unreadable one stops the run, since skipping it could write its file twice. */
    List<Entry> entries() {
        List<Entry> all = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return all;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (name.endsWith(TEMP_SUFFIX)) {
                    Files.deleteIfExists(p); // a write that never reached its rename
                } else if (name.endsWith(SUFFIX)) {
                    all.add(read(p));
                }
            }
        } catch (IOException e) {
            throw CliException.usage("受信記録を読めません / cannot read the receive journal " + dir + ": " + e.getMessage());
        }
        return all;
    }

    Optional<Entry> find(String transferId) {
        Path p = path(transferId);
        if (!Files.exists(p)) {
            return Optional.empty();
        }
        try {
            Entry e = read(p);
            return e.transferId().equals(transferId) ? Optional.of(e) : Optional.empty();
        } catch (IOException e) {
            throw CliException.usage("受信記録を読めません / cannot read the receive journal " + p + ": " + e.getMessage());
        }
    }

    /** Writes {@code e} in place of any earlier state of its transfer, atomically and durably. */
    void write(Entry e) {
        try {
            Files.createDirectories(dir);
            Path target = path(e.transferId());
            Path temp = Files.createTempFile(dir, "." + target.getFileName(), TEMP_SUFFIX, Durable.ownerOnly(dir));
            try {
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ByteBuffer b = ByteBuffer.wrap((e.json() + "\n").getBytes(StandardCharsets.UTF_8));
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    ch.force(true);
                }
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException x) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            Durable.syncDirectory(dir);
        } catch (IOException x) {
            throw CliException.usage("受信記録を書けません / cannot write the receive journal in " + dir + ": " + x.getMessage());
        }
    }

    /** The transfer was acknowledged: its entry goes, and the journal folder when it is empty. */
    void remove(String transferId) {
        try {
            Files.deleteIfExists(path(transferId));
            Durable.syncDirectory(dir);
            try {
                Files.deleteIfExists(dir);
            } catch (DirectoryNotEmptyException stillInFlight) {
                // other transfers are in flight
            }
        } catch (IOException x) {
            throw CliException.usage(
                    "受信記録を更新できません / cannot update the receive journal in " + dir + ": " + x.getMessage());
        }
    }

    private Path path(String transferId) {
        return dir.resolve(Durable.safeName(transferId) + SUFFIX);
    }

    private static Entry read(Path p) throws IOException {
        String text = Files.readString(p, StandardCharsets.UTF_8);
        try {
            return Entry.parse(text.strip());
        } catch (RuntimeException e) {
            throw new IOException(
                    "記録が壊れています（確認のうえ移動してください） / entry " + p.getFileName() + " is unreadable (" + e.getMessage()
                            + "): check the output folder for its file, then move the entry away",
                    e);
        }
    }
}

package jp.sekisho.audit.archive;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.chain.Hex;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.keys.KeySet;
import jp.sekisho.audit.read.EventJson;
import jp.sekisho.audit.verify.ExportFileVerifier;
import jp.sekisho.audit.verify.VerifyResult;

/**
 * The month files of one or more archive folders ({@code audit-YYYY-MM.jsonl}), oldest month first: each checked on
 * its own (chain, checkpoints, SHA-256 beside it), then read as one stream to put in front of the live log.
 */
public final class ArchiveSet {

    private static final Pattern MONTH_FILE = Pattern.compile("audit-\\d{4}-\\d{2}\\.jsonl");

    private final List<Path> files;

    private ArchiveSet(List<Path> files) {
        this.files = files;
    }

    public static ArchiveSet of(List<Path> dirs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                throw new IOException("アーカイブのフォルダがありません / no such archive folder: " + d);
            }
            try (Stream<Path> s = Files.list(d)) {
                s.filter(p -> MONTH_FILE.matcher(p.getFileName().toString()).matches())
                        .forEach(files::add);
            }
        }
        if (files.isEmpty()) {
            throw new IOException("アーカイブのファイル (audit-YYYY-MM.jsonl) がありません / no archived month in " + dirs);
        }
        files.sort(Comparator.comparing((Path p) -> p.getFileName().toString()));
        for (int i = 1; i < files.size(); i++) {
            if (files.get(i).getFileName().equals(files.get(i - 1).getFileName())) {
                throw new IOException("同じ月が二つあります / the same month twice: " + files.get(i - 1) + ", " + files.get(i));
            }
        }
        return new ArchiveSet(List.copyOf(files));
    }

    public List<Path> files() {
        return files;
    }

    /** The first file that fails on its own, as a Broken naming file and line; null when every file verifies. */
    public VerifyResult.Broken checkEach(KeySet keys) throws IOException {
        for (Path f : files) {
            VerifyResult r = ExportFileVerifier.verify(f, keys, true, null);
            if (r instanceof VerifyResult.Broken b) {
                long line = b.seq() > 0 ? ExportFileVerifier.lineOf(f, b.nodeId(), b.seq()) : -1;
                return new VerifyResult.Broken(
                        b.nodeId(), b.seq(), b.kind(), f + (line > 0 ? " line " + line : "") + ": " + b.message());
            }
            Path sum = f.resolveSibling(f.getFileName() + ".sha256");
            if (Files.exists(sum)) {
                String expected =
                        Files.readString(sum, StandardCharsets.US_ASCII).split("\\s+", 2)[0];
                String actual = sha256(f);
                if (!expected.equalsIgnoreCase(actual)) {
                    return new VerifyResult.Broken(
                            "",
                            0,
                            VerifyResult.Kind.MODIFIED,
                            f + ": SHA-256 " + actual + " differs from " + sum.getFileName() + " (" + expected + ")");
                }
            }
        }
        return null;
    }

    /** Every archived checkpoint. */
    public List<Checkpoint> checkpoints() throws IOException {
        List<Checkpoint> out = new ArrayList<>();
        for (Path f : files) {
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (line.startsWith("{\"record\":\"checkpoint\"")) {
                        out.add(EventJson.toCheckpoint(Json.parseObject(line)));
                    }
                }
            }
        }
        return out;
    }

    /** The archived events, file after file, streamed (a month may hold millions). */
    public Iterator<RecordedEvent> events() {
        return new Iterator<>() {
            private int index;
            private BufferedReader reader;
            private RecordedEvent next;

            @Override
            public boolean hasNext() {
                try {
                    while (next == null) {
                        if (reader == null) {
                            if (index == files.size()) {
                                return false;
                            }
                            reader = Files.newBufferedReader(files.get(index++), StandardCharsets.UTF_8);
                        }
                        String line = reader.readLine();
                        if (line == null) {
                            reader.close();
                            reader = null;
                        } else if (line.startsWith("{\"record\":\"event\"")) {
                            Map<String, Object> m = Json.parseObject(line);
                            next = EventJson.toEvent(m);
                        }
                    }
                    return true;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public RecordedEvent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                RecordedEvent e = next;
                next = null;
                return e;
            }
        };
    }

    static String sha256(Path f) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(f)) {
                byte[] buf = new byte[1 << 16];
                for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                    md.update(buf, 0, n);
                }
            }
            return Hex.of(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

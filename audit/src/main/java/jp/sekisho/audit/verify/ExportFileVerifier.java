package jp.sekisho.audit.verify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.read.EventJson;
import jp.sekisho.audit.verify.VerifyResult.Broken;
import jp.sekisho.audit.verify.VerifyResult.Kind;

/**
 * Verifies a JSON Lines export offline: one pass collects the (few) checkpoints, a second streams
 * the events through {@link AuditVerifier}, so the file's size does not matter.
 */
public final class ExportFileVerifier {

    private ExportFileVerifier() {}

    public static VerifyResult verify(Path file, PublicKey key) throws IOException {
        return verify(file, key, false);
    }

    /** See {@link AuditVerifier#verify(Iterator, List, PublicKey, boolean)} for {@code archivedStart}. */
    public static VerifyResult verify(Path file, PublicKey key, boolean archivedStart) throws IOException {
        List<Checkpoint> cps = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                return unreadable(1, "the file is empty");
            }
            try {
                Map<String, Object> h = Json.parseObject(header);
                if (!"header".equals(h.get("record")) || !EventJson.FORMAT.equals(h.get("format"))) {
                    return unreadable(1, "not a " + EventJson.FORMAT + " file");
                }
            } catch (IllegalArgumentException e) {
                return unreadable(1, e.getMessage());
            }
            long lineNo = 1;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lineNo++;
                try {
                    Map<String, Object> m = Json.parseObject(line);
                    if ("checkpoint".equals(m.get("record"))) {
                        cps.add(EventJson.toCheckpoint(m));
                    }
                } catch (RuntimeException e) {
                    return unreadable(lineNo, e.getMessage());
                }
            }
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            r.readLine();
            return AuditVerifier.verify(new Events(r), cps, key, archivedStart);
        } catch (BadLine e) {
            return unreadable(e.lineNo, e.getMessage());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static Broken unreadable(long line, String why) {
        return new Broken("", 0, Kind.UNREADABLE, "line " + line + ": " + why);
    }

    private static final class BadLine extends RuntimeException {
        final long lineNo;

        BadLine(long lineNo, String message) {
            super(message);
            this.lineNo = lineNo;
        }
    }

    private static final class Events implements Iterator<RecordedEvent> {
        private final BufferedReader r;
        private long lineNo = 1;
        private RecordedEvent next;

        Events(BufferedReader r) {
            this.r = r;
        }

        @Override
        public boolean hasNext() {
            try {
                while (next == null) {
                    String line = r.readLine();
                    if (line == null) {
                        return false;
                    }
                    lineNo++;
                    Map<String, Object> m;
                    try {
                        m = Json.parseObject(line);
                        if ("event".equals(m.get("record"))) {
                            next = EventJson.toEvent(m);
                        } else if (!"checkpoint".equals(m.get("record"))) {
                            throw new IllegalArgumentException("unknown record " + m.get("record"));
                        }
                    } catch (RuntimeException e) {
                        throw new BadLine(lineNo, e.getMessage());
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
    }
}

package jp.sekisho.audit.verify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.RandomAccessFile;
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
import jp.sekisho.audit.keys.KeySet;
import jp.sekisho.audit.keys.RegisteredKey;
import jp.sekisho.audit.read.EventJson;
import jp.sekisho.audit.verify.VerifyResult.Broken;
import jp.sekisho.audit.verify.VerifyResult.Kind;

/**
 * Verifies a JSON Lines export offline: one pass collects the (few) checkpoints and checks that the
 * file is whole, a second streams the events through {@link AuditVerifier}, so the file's size does
 * not matter. An export whose stream was cut (its header promises an end record that is missing, its
 * last line is torn, or it ends with the server's error record) is {@link Kind#TRUNCATED}: incomplete,
 * which says nothing about tampering; fetch it again. Exports made before the end record existed
 * (no {@code end_record} in the header) still verify.
 */
public final class ExportFileVerifier {

    private ExportFileVerifier() {}

    /** The {@code signing-key} records of an export: the key set it carries (empty for exports made before them). */
    public static final String KEY_RECORD = "signing-key";

    public static VerifyResult verify(Path file, PublicKey key) throws IOException {
        return verify(file, key, false);
    }

    /** See {@link AuditVerifier#verify(Iterator, List, PublicKey, boolean)} for {@code archivedStart}. */
    public static VerifyResult verify(Path file, PublicKey key, boolean archivedStart) throws IOException {
        return verify(
                file, KeySet.of(key, "key " + jp.sekisho.audit.chain.AuditSigningKey.keyId(key)), archivedStart, null);
    }

    /**
     * @param keys the keys to check with, or null for the keys the export itself carries (its own word: say so)
     * @param node only this node's chain, or null for every chain in the file
     */
    public static VerifyResult verify(Path file, KeySet keys, boolean archivedStart, String node) throws IOException {
        boolean tornTail = !endsWithNewline(file);
        boolean ranges;
        List<Checkpoint> cps = new ArrayList<>();
        List<RegisteredKey> carried = new ArrayList<>();
        long events = 0;
        Map<String, Object> closing = null;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                return truncated(0, "the file is empty");
            }
            boolean endPromised;
            try {
                Map<String, Object> h = Json.parseObject(header);
                if (!"header".equals(h.get("record")) || !EventJson.FORMAT.equals(h.get("format"))) {
                    return unreadable(1, "not a " + EventJson.FORMAT + " file");
                }
                endPromised = Boolean.TRUE.equals(h.get("end_record"));
                // a filtered export carries each node's stretch of chain from just after a signed
                // checkpoint (ProofRanges): its chains may start there, as after an archive
                ranges = "ranges".equals(h.get("proof"));
                // an archived month (audit archive) starts after the checkpoint sealing the month before it
                ranges |= "archive".equals(h.get("proof"));
            } catch (IllegalArgumentException e) {
                if (tornTail && r.readLine() == null) {
                    return truncated(0, "its only line is cut off");
                }
                return unreadable(1, e.getMessage());
            }
            long lineNo = 1;
            String line = r.readLine();
            while (line != null) {
                lineNo++;
                String next = r.readLine();
                Map<String, Object> m;
                try {
                    m = Json.parseObject(line);
                } catch (RuntimeException e) {
                    if (next == null && tornTail) {
                        return truncated(events, "its last line is cut off");
                    }
                    return unreadable(lineNo, e.getMessage());
                }
                if (closing != null) {
                    return unreadable(lineNo, "a line after the " + closing.get("record") + " record");
                }
                Object record = m.get("record");
                if ("checkpoint".equals(record)) {
                    try {
                        Checkpoint cp = EventJson.toCheckpoint(m);
                        if (node == null || node.equals(cp.nodeId())) {
                            cps.add(cp);
                        }
                    } catch (RuntimeException e) {
                        return unreadable(lineNo, e.getMessage());
                    }
                } else if (KEY_RECORD.equals(record)) {
                    try {
                        carried.add(RegisteredKey.fromJson(m));
                    } catch (RuntimeException e) {
                        return unreadable(lineNo, e.getMessage());
                    }
                } else if ("event".equals(record)) {
                    events++;
                } else if ("end".equals(record) || "error".equals(record)) {
                    closing = m;
                } else {
                    return unreadable(lineNo, "unknown record " + record);
                }
                line = next;
            }
            if (closing != null && "error".equals(closing.get("record"))) {
                return truncated(
                        events,
                        "the gateway stopped the export: " + closing.get("reason") + ": " + closing.get("message"));
            }
            if (closing == null && endPromised) {
                return truncated(events, "it ends without its end record");
            }
        }
        KeySet using = keys;
        if (using == null) {
            if (carried.isEmpty()) {
                return unreadable(
                        1,
                        "this export carries no signing keys (made before they were exported): "
                                + "pass --key PUB.pem or --keys DIR_OR_FILE");
            }
            try {
                using = KeySet.ofRows(carried, "the export's own signing-key records");
            } catch (RuntimeException e) {
                return unreadable(1, e.getMessage());
            }
        }
        VerifyResult result;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            r.readLine();
            result = AuditVerifier.verify(new Events(r, node), cps, using, archivedStart || ranges, node);
        } catch (BadLine e) {
            return unreadable(e.lineNo, e.getMessage());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (result.ok() && closing != null && !Long.valueOf(events).equals(count(closing.get("events")))) {
            // the chain cannot show events cut off its end that no checkpoint sealed; the count can
            return new Broken(
                    "",
                    0,
                    count(closing.get("events")) > events ? Kind.DELETED : Kind.INSERTED,
                    "the end record counts " + closing.get("events") + " events, the file holds " + events);
        }
        return result;
    }

    /**
     * The line of {@code file} holding event {@code node#seq} (1 is the header), or -1: lets a failed verify name
     * the line a person can open.
     */
    public static long lineOf(Path file, String node, long seq) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long lineNo = 0;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lineNo++;
                try {
                    Map<String, Object> m = Json.parseObject(line);
                    if ("event".equals(m.get("record"))
                            && node.equals(m.get("node"))
                            && m.get("seq") instanceof java.math.BigDecimal d
                            && d.longValue() == seq) {
                        return lineNo;
                    }
                } catch (RuntimeException e) {
                    // an unreadable line is reported by verify itself
                }
            }
        }
        return -1;
    }

    /** How a cut is reported: the reason code, what was received, and what to do. */
    public static String truncatedMessage(long events, String how) {
        return "STREAM_TRUNCATED: 途中で切断されました / the export stream was cut after " + events + " events (" + how
                + "): incomplete, not evidence of tampering; run it again";
    }

    private static Broken truncated(long events, String how) {
        return new Broken("", 0, Kind.TRUNCATED, truncatedMessage(events, how));
    }

    private static long count(Object v) {
        return v instanceof java.math.BigDecimal d ? d.longValue() : -1;
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            if (f.length() == 0) {
                return false;
            }
            f.seek(f.length() - 1);
            return f.read() == '\n';
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
        private final String node;
        private long lineNo = 1;
        private RecordedEvent next;

        Events(BufferedReader r, String node) {
            this.r = r;
            this.node = node;
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
                            RecordedEvent e = EventJson.toEvent(m);
                            next = node == null || node.equals(e.nodeId()) ? e : null;
                        } else if ("end".equals(m.get("record")) || "error".equals(m.get("record"))) {
                            return false; // the first pass checked that nothing follows
                        } else if (!"checkpoint".equals(m.get("record")) && !KEY_RECORD.equals(m.get("record"))) {
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

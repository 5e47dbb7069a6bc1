package jp.sekisho.gateway.deletion;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.sekisho.audit.json.Json;
import jp.sekisho.gateway.input.Fields;
import jp.sekisho.gateway.input.Ids;

/**
 * What the contractor states in its deletion report (廃棄報告): the approval, the person responsible,
 * each transfer it received with when and how it was deleted, and an optional note. Read strictly:
 * UTF-8 only, a key named twice, a key not listed here or a value over its bound refuses the whole
 * manifest (docs/deletion-reports.md).
 */
public record Manifest(String approval, String responsible, List<Entry> transfers, String note) {

    public static final int MAX_BYTES = 256 * 1024;
    public static final int MAX_TRANSFERS = 10_000;
    static final int MAX_RESPONSIBLE = 200;
    static final int MAX_METHOD = 200;

    private static final Set<String> TOP = Set.of("approval", "responsible", "transfers", "note");
    private static final Set<String> ENTRY = Set.of("id", "sha256", "deleted-at", "method");

    public Manifest {
        transfers = List.copyOf(transfers);
    }

    /** One transfer as reported: its id and SHA-256 as delivered, when it was deleted and how. */
    public record Entry(String id, String sha256, OffsetDateTime deletedAt, String method) {}

    /** A manifest that breaks the documented shape; the message says where, in English. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** The latest deletion time stated (the table's deleted_until). */
    public OffsetDateTime deletedUntil() {
        return transfers.stream()
                .map(Entry::deletedAt)
                .max(OffsetDateTime::compareTo)
                .orElse(null);
    }

    public static Manifest parse(byte[] utf8) throws Invalid {
        if (utf8.length > MAX_BYTES) {
            throw new Invalid("the manifest is " + utf8.length + " bytes; at most " + MAX_BYTES);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Invalid("the manifest is not UTF-8");
        }
        Map<String, Object> top;
        try {
            top = Json.parseObject(text);
        } catch (IllegalArgumentException e) {
            throw new Invalid(String.valueOf(e.getMessage()));
        }
        keys(top, TOP, "the manifest");
        String approval = text(top, "approval", Ids.APPROVAL_REF.label(), 128, true);
        if (!Ids.APPROVAL_REF.valid(approval)) {
            throw new Invalid("approval: " + Ids.APPROVAL_REF.problem(approval).orElse(""));
        }
        String responsible = text(top, "responsible", "responsible", MAX_RESPONSIBLE, true);
        String note = text(top, "note", "note", Fields.TEXT, false);
        if (!(top.get("transfers") instanceof List<?> list)) {
            throw new Invalid("transfers: a list of the transfers received is required");
        }
        if (list.size() > MAX_TRANSFERS) {
            throw new Invalid("transfers: " + list.size() + " entries; at most " + MAX_TRANSFERS);
        }
        List<Entry> entries = new ArrayList<>(list.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "transfers[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> raw)) {
                throw new Invalid(at + ": an object is required");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) raw;
            keys(m, ENTRY, at);
            String id = text(m, "id", at + ".id", 64, true);
            if (!Ids.TRANSFER.valid(id)) {
                throw new Invalid(at + ".id: " + Ids.TRANSFER.problem(id).orElse(""));
            }
            if (!seen.add(id)) {
                throw new Invalid(at + ".id: transfer " + id + " is listed twice");
            }
            String sha = text(m, "sha256", at + ".sha256", 64, true);
            if (!sha.matches("[0-9a-f]{64}")) {
                throw new Invalid(at + ".sha256: 64 lower-case hex digits are required");
            }
            String when = text(m, "deleted-at", at + ".deleted-at", 64, true);
            OffsetDateTime deletedAt;
            try {
                deletedAt = OffsetDateTime.parse(when);
            } catch (DateTimeParseException e) {
                throw new Invalid(at + ".deleted-at: ISO-8601 with an offset is required (2026-12-01T10:00:00+09:00)");
            }
            String method = text(m, "method", at + ".method", MAX_METHOD, true);
            entries.add(new Entry(id, sha, deletedAt, method));
        }
        return new Manifest(approval, responsible, entries, note);
    }

    private static void keys(Map<String, Object> m, Set<String> allowed, String where) throws Invalid {
        for (String k : m.keySet()) {
            if (!allowed.contains(k)) {
                boolean printable =
                        k.length() <= 40 && Fields.problem("", k, 40).isEmpty();
                throw new Invalid(where + ": unknown field" + (printable ? " '" + k + "'" : ""));
            }
        }
    }

    private static String text(Map<String, Object> m, String key, String label, int max, boolean required)
            throws Invalid {
        Object v = m.get(key);
        if (v == null) {
            if (required) {
                throw new Invalid(label + " is required");
            }
            return "";
        }
        if (!(v instanceof String s)) {
            throw new Invalid(label + ": a string is required");
        }
        if (required && s.isBlank()) {
            throw new Invalid(label + " is empty");
        }
        var p = Fields.problem(label, s, max);
        if (p.isPresent()) {
            throw new Invalid(p.get());
        }
        return s;
    }
}

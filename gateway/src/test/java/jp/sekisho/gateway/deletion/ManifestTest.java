package jp.sekisho.gateway.deletion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

/** The manifest is read strictly: every refusal names what is wrong, nothing unknown or repeated passes. */
class ManifestTest {

    static final String SHA = "ab".repeat(32);

    static String entry(String id) {
        return "{\"id\":\"" + id + "\",\"sha256\":\"" + SHA
                + "\",\"deleted-at\":\"2026-12-01T10:00:00+09:00\",\"method\":\"上書き消去\"}";
    }

    static String manifest(String entries) {
        return "{\"approval\":\"2総政第158号\",\"responsible\":\"田中 / 課長\",\"transfers\":[" + entries + "]}";
    }

    static Manifest parse(String text) throws Manifest.Invalid {
        return Manifest.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    static String refusal(String text) {
        return assertThrows(Manifest.Invalid.class, () -> parse(text)).getMessage();
    }

    @Test
    void aWellFormedManifestIsRead() throws Exception {
        Manifest m = parse(manifest(entry("a1") + "," + entry("b2")));
        assertEquals("2総政第158号", m.approval());
        assertEquals(2, m.transfers().size());
        assertEquals(OffsetDateTime.parse("2026-12-01T10:00:00+09:00"), m.deletedUntil());
        assertEquals("", m.note());
    }

    @Test
    void unknownRepeatedOrMissingFieldsAreRefused() {
        assertTrue(refusal(manifest(entry("a1")).replace("{\"approval\"", "{\"extra\":1,\"approval\""))
                .contains("unknown field 'extra'"));
        assertTrue(
                refusal(manifest(entry("a1")).replace("\"method\"", "\"how\"")).contains("transfers[0]"));
        assertTrue(refusal(manifest(entry("a1")).replace("{\"approval\"", "{\"approval\":\"x\",\"approval\""))
                .contains("invalid JSON"));
        assertTrue(refusal("{\"approval\":\"R\",\"transfers\":[]}").contains("responsible is required"));
        assertTrue(refusal(manifest(entry("a1") + "," + entry("a1"))).contains("listed twice"));
    }

    @Test
    void valuesOutOfBoundsAreRefused() {
        assertTrue(refusal(manifest(entry("a1")).replace(SHA, SHA.toUpperCase(java.util.Locale.ROOT)))
                .contains("sha256"));
        assertTrue(refusal(manifest(entry("a1")).replace("+09:00", "")).contains("deleted-at"));
        assertTrue(refusal(manifest(entry("a/1"))).contains("transfers[0].id"));
        assertTrue(refusal(manifest(entry("a1")).replace("田中 / 課長", "x".repeat(201)))
                .contains("responsible"));
        assertTrue(refusal(manifest(entry("a1")).replace("田中", "田\\u202e中")).contains("responsible"));
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= Manifest.MAX_TRANSFERS; i++) {
            many.append(i == 0 ? "" : ",").append("{}");
        }
        String tooMany = manifest(many.toString());
        assertTrue(refusal(tooMany).contains("at most 10000"), refusal(tooMany));
        byte[] big = new byte[Manifest.MAX_BYTES + 1];
        assertTrue(assertThrows(Manifest.Invalid.class, () -> Manifest.parse(big))
                .getMessage()
                .contains("at most 262144"));
        byte[] latin1 = manifest(entry("a1")).replace("田中", "é").getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(assertThrows(Manifest.Invalid.class, () -> Manifest.parse(latin1))
                .getMessage()
                .contains("not UTF-8"));
    }
}

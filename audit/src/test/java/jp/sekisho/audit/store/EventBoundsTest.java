package jp.sekisho.audit.store;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import jp.sekisho.audit.json.Json;
import jp.sekisho.certs.testing.Fuzz;
import org.junit.jupiter.api.Test;

/** Any text and any detail becomes something the store takes, marked where it was changed. */
class EventBoundsTest {

    @Test
    void shortCleanTextIsKeptAsIs() {
        String s = "CN=山田 太郎,O=札幌市,C=JP";
        assertSame(s, EventBounds.text(s));
    }

    @Test
    void overLongTextIsCutWithItsLengthAndHash() throws Exception {
        String subject = "CN=" + "a".repeat(1395);
        String hex = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(subject.getBytes(StandardCharsets.UTF_8)));
        String t = EventBounds.text(subject);
        assertEquals(EventBounds.MAX_TEXT_CHARS, t.length());
        assertTrue(t.startsWith("CN=aaa"), t);
        assertTrue(t.endsWith("\u2026[truncated: 1398 chars, sha256=" + hex + "]"), t);
    }

    @Test
    void nulAndLoneSurrogatesAreReplacedVisiblyAndPairsKept() {
        assertEquals("a\u2400b\uFFFDc\uD83D\uDE00", EventBounds.text("a\0b\uD800c\uD83D\uDE00"));
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String t = EventBounds.text("\uD83D\uDE00".repeat(1000));
        int cut = t.indexOf('\u2026');
        assertTrue(!Character.isHighSurrogate(t.charAt(cut - 1)), "ends on a whole code point");
    }

    @Test
    void overLongOrInvalidDetailIsReplacedByABoundedObject() {
        String big = "{\"k\":\"" + "z".repeat(9000) + "\"}";
        String d = EventBounds.detail(big);
        Map<String, Object> o = Json.parseObject(d);
        assertEquals("longer than 8192 characters", o.get("detailReplaced"));
        assertEquals(new java.math.BigDecimal(big.length()), o.get("chars"));
        assertTrue(d.length() < EventBounds.MAX_DETAIL_CHARS);
        Map<String, Object> bad = Json.parseObject(EventBounds.detail("{\"a\":1,\"a\":2}"));
        assertTrue(((String) bad.get("detailReplaced")).contains("Duplicate field 'a'"), bad.toString());
        assertEquals("{\"a\":1}", EventBounds.detail("{\"a\":1}"));
    }

    @Test
    void everyTextAndDetailIsStorable() {
        // up to 10,000 chars: past MAX_TEXT_CHARS and MAX_DETAIL_CHARS, so the cuts are tried too
        Fuzz.run("EventBounds", 300, r -> Fuzz.string(r, r.nextBoolean() ? 300 : 10_000), s -> {
            String t = EventBounds.text(s);
            assertTrue(t.length() <= EventBounds.MAX_TEXT_CHARS && t.indexOf('\0') < 0);
            assertDoesNotThrow(() -> EventValidator.check(EventBounds.bound(EventValidatorTest.withDetail(s))));
            // the text inside a JSON string: valid or not (controls, lone surrogates), still storable
            String inJson = "{\"k\":\"" + s + "\"}";
            assertDoesNotThrow(() -> EventValidator.check(EventBounds.bound(EventValidatorTest.withDetail(inJson))));
        });
    }
}

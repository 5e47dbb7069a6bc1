package jp.sekisho.audit.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void quotedStringsParseBackExactly() {
        String tricky = "tab\t \"q\" \\ 改行\n \u0001 \u2028 end";
        assertEquals(tricky, Json.parse(Json.quote(new StringBuilder(), tricky).toString()));
    }

    @Test
    void parsesNestedValues() {
        assertEquals(
                Map.of("a", List.of(new BigDecimal("1"), new BigDecimal("-2.5e3")), "b", Map.of("c", true)),
                Json.parse("{\"a\": [1, -2.5e3], \"b\": {\"c\": true}}"));
    }

    @Test
    void rejectsMalformedJson() {
        for (String bad : List.of("{", "{\"a\":}", "[1,]", "01", "1.", "\"unterminated", "{\"a\":1} x", "nul", "-")) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }

    // ---- what the hand-written parser accepted and still must ----

    @Test
    void acceptsWhatTheOldParserAccepted() {
        assertEquals("A/\b\f\n\r\t\"\\é😀", Json.parse("\"\\u0041\\/\\b\\f\\n\\r\\t\\\"\\\\\\u00E9\\ud83d\\ude00\""));
        assertEquals(
                Arrays.asList(true, false, null, "", Map.of(), List.of()),
                Json.parse(" \t\r\n[true,false,null,\"\",{},[]] \n"));
        assertEquals(new BigDecimal("0"), Json.parse("-0"));
        assertEquals(new BigDecimal("2.50"), Json.parse("2.50"), "numbers keep their scale, as BigDecimal(text)");
        assertEquals(new BigDecimal("1E+2"), Json.parse("1E+2"));
        assertEquals(new BigDecimal("-1.5e-7"), Json.parse("-1.5e-7"));
        assertEquals(new BigDecimal("123456789012345678901234567890"), Json.parse("123456789012345678901234567890"));
        assertEquals("x", Json.parse("\"x\""), "any value at the root, not only objects");
        assertNull(Json.parse("null"));
        assertEquals("\ud800", Json.parse("\"\\ud800\""), "a lone surrogate escape is text, as before");
        assertEquals("改行 \u2028 raw", Json.parse("\"改行 \u2028 raw\""), "non-ASCII unescaped");
    }

    @Test
    void objectsKeepTheirMemberOrder() {
        Map<String, Object> m = Json.parseObject("{\"z\":1,\"a\":2,\"m\":{\"y\":1,\"b\":2}}");
        assertEquals(List.of("z", "a", "m"), List.copyOf(m.keySet()));
        assertTrue(m instanceof LinkedHashMap);
        @SuppressWarnings("unchecked")
        Map<String, Object> inner = (Map<String, Object>) m.get("m");
        assertEquals(List.of("y", "b"), List.copyOf(inner.keySet()));
    }

    @Test
    void sixtyFourLevelsOfNestingAreAccepted() {
        String deep = "[".repeat(Json.MAX_DEPTH) + "1" + "]".repeat(Json.MAX_DEPTH);
        Object v = Json.parse(deep);
        for (int i = 1; i < Json.MAX_DEPTH; i++) {
            v = ((List<?>) v).get(0);
        }
        assertEquals(List.of(new BigDecimal("1")), v);
    }

    // ---- what is now refused ----

    @Test
    void duplicateKeysAreRefusedWhereverTheyAre() {
        for (String dup : List.of(
                "{\"a\":1,\"a\":2}",
                "{\"a\":1,\"b\":2,\"a\":1}",
                "{\"x\":{\"sha256\":\"0\",\"sha256\":\"1\"}}",
                "[{\"k\":null,\"k\":null}]",
                "{\"\\u0061\":1,\"a\":2}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(dup), dup);
            assertTrue(e.getMessage().startsWith("invalid JSON at offset "), e.getMessage());
            assertTrue(e.getMessage().contains("Duplicate field"), e.getMessage());
        }
        assertEquals(
                Map.of("a", Map.of("a", new BigDecimal(1))),
                Json.parse("{\"a\":{\"a\":1}}"),
                "same key at another level is fine");
    }

    @Test
    void aUnicodeEscapeIsExactlyFourHexDigits() {
        for (String bad : List.of(
                "\"\\u+041\"", "\"\\u-041\"", "\"\\u 041\"", "\"\\u041\"", "\"\\u00g1\"", "\"\\u\"", "\"\\x41\"")) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }

    @Test
    void anythingAfterTheValueIsRefused() {
        for (String bad : List.of(
                "{\"a\":1} x", "{\"a\":1}{}", "1 2", "[] []", "\"a\" \"b\"", "true false", "{}]", "{} //", "null,")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid JSON at offset "), e.getMessage());
        }
    }

    @Test
    void overDeepNestingIsRefused() {
        String tooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(tooDeep));
        assertTrue(e.getMessage().contains("nesting depth"), e.getMessage());
        assertTrue(
                !e.getMessage().contains("StreamReadConstraints"),
                "names the limit, not Jackson's API: " + e.getMessage());
        String objects = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        assertThrows(IllegalArgumentException.class, () -> Json.parse(objects), "no stack overflow");
    }

    @Test
    void oversizedTokensAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("1" + "0".repeat(Json.MAX_NUMBER_CHARS)));
        assertThrows(
                IllegalArgumentException.class, () -> Json.parse("1e999999999"), "toPlainString would be a gigabyte");
        assertThrows(IllegalArgumentException.class, () -> Json.parse("1e99999999999"));
        assertEquals(new BigDecimal("1e300"), Json.parse("1e300"));
        assertThrows(
                IllegalArgumentException.class, () -> Json.parse("\"" + "x".repeat(Json.MAX_STRING_CHARS + 1) + "\""));
        assertEquals(
                Json.MAX_STRING_CHARS, ((String) Json.parse("\"" + "x".repeat(Json.MAX_STRING_CHARS) + "\"")).length());
        assertThrows(
                IllegalArgumentException.class,
                () -> Json.parse("{\"" + "k".repeat(Json.MAX_NAME_CHARS + 1) + "\":1}"));
    }

    @Test
    void lenientExtensionsAreRefused() {
        for (String bad : List.of(
                "",
                "   ",
                "{'a':1}",
                "{a:1}",
                "[1,2,]",
                "{\"a\":1,}",
                "NaN",
                "Infinity",
                "-Infinity",
                "+1",
                ".5",
                "0x10",
                "[1 2]",
                "{\"a\" 1}",
                "/* c */ 1",
                "# c\n1",
                "\"tab\there\"",
                "\"new\nline\"",
                "\u00a01",
                "[\"a\"\u00a0]",
                "tru",
                "True")) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Json.parse(null));
        assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[1]"));
    }

    // ---- the escaper ----

    @Test
    void quoteEscapesControlsLineSeparatorsAndLoneSurrogates() {
        assertEquals("null", Json.quote(new StringBuilder(), null).toString());
        assertEquals(
                "\"\\\"\\\\\\n\\r\\t\\u0000\\u0008\\u000c\\u001f\\u2028\\u2029\"",
                Json.quote(new StringBuilder(), "\"\\\n\r\t\u0000\b\f\u001f\u2028\u2029")
                        .toString());
        assertEquals(
                "\"é 改 😀 \u007f /\"",
                Json.quote(new StringBuilder(), "é 改 😀 \u007f /").toString(),
                "everything else as is, a surrogate pair included");
        // lone surrogates: UTF-8 cannot carry them (an encoder writes '?'), so they are escaped and parse back
        for (String lone : List.of("\ud800", "a\udc00b", "\ude00\ud83d", "x\ud83d")) {
            String q = Json.quote(new StringBuilder(), lone).toString();
            assertTrue(q.chars().noneMatch(ch -> Character.isSurrogate((char) ch)), q);
            assertEquals(lone, Json.parse(q));
        }
        assertEquals(
                "\"\ud800\udc00x\"",
                Json.quote(new StringBuilder(), "\ud800\udc00x").toString(),
                "a pair is one code point, written as is");
    }

    @Test
    void everyCharRoundTrips() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < Character.MAX_VALUE; c++) {
            all.append(c);
        }
        String s = all.toString();
        assertEquals(s, Json.parse(Json.quote(new StringBuilder(), s).toString()));
    }
}

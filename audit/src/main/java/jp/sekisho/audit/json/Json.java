package jp.sekisho.audit.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The project's JSON helpers: the one string escaper ({@link #quote}) for everything Sekisho writes
 * as JSON by hand (exports, receipts, problem answers, event details), and a strict parser
 * ({@link #parse}) for reading exports, receipts and gateway answers back and validating event
 * details.
 *
 * <p>Parsing is Jackson's streaming parser (jackson-core only, no data binding), configured to refuse
 * what a lenient reader would silently reinterpret: duplicate object keys (which one counts would
 * depend on the reader), anything but four hex digits after {@code \\u}, anything after the one
 * value, comments, single quotes, leading zeros, NaN, unescaped control characters in strings. It is
 * also bounded: {@value #MAX_DEPTH} levels of nesting, strings of at most {@value #MAX_STRING_CHARS}
 * characters, keys of {@value #MAX_NAME_CHARS}, numbers of {@value #MAX_NUMBER_CHARS} characters whose
 * scale (digits after the point minus the exponent) stays within ±{@value #MAX_SCALE}. There is no separate document-size bound: the
 * text is already a {@code String} in memory, and each caller bounds what it reads (event details
 * are at most 8192 characters, see the store's event validation).
 *
 * <p>The audit chain's hash does not depend on this class: it covers {@code CanonicalEncoding}'s own
 * byte layout of the event's fields, with the detail JSON as the text given.
 */
public final class Json {

    /** Containers inside containers; the root object or array counts as one. */
    static final int MAX_DEPTH = 64;

    static final int MAX_STRING_CHARS = 1 << 20;
    static final int MAX_NAME_CHARS = 4096;
    static final int MAX_NUMBER_CHARS = 100;
    /** {@code 1e999999999} is 11 characters, but its {@code toPlainString()} would be a gigabyte. */
    static final int MAX_SCALE = 1000;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES) // keys come from other parties: no String.intern()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION) // messages give the offset, never the input
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_STRING_CHARS)
                    .maxNameLength(MAX_NAME_CHARS)
                    .maxNumberLength(MAX_NUMBER_CHARS)
                    .build())
            .build();

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {}

    /**
     * Writes {@code v} as compact JSON: null, String, Number, Boolean, Map (keys as strings, in the
     * map's order: give a LinkedHashMap or TreeMap for a canonical form) and List; anything else as
     * its string. The one writer for the small documents the CLI sends and the gateway seals.
     */
    public static String write(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v);
        return sb.toString();
    }

    /** {@link #write(Object)} into {@code sb}. */
    public static StringBuilder write(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                quote(sb, String.valueOf(e.getKey())).append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int k = 0; k < l.size(); k++) {
                if (k > 0) {
                    sb.append(',');
                }
                write(sb, l.get(k));
            }
            sb.append(']');
        } else {
            quote(sb, String.valueOf(v));
        }
        return sb;
    }

    /**
     * Appends {@code s} as a JSON string literal (or {@code null}). Escapes {@code "} and {@code \},
     * every control character (U+0000..U+001F; {@code \n \r \t} in their short forms, the others as
     * {@code \}{@code u} escapes, e.g. {@code \}{@code u001b}), U+2028 and U+2029 (legal in JSON, but line breaks to JavaScript and to
     * many line-oriented tools), and lone surrogates (a {@code String} may hold them, UTF-8 cannot: an
     * encoder would write {@code ?} in their place, so each is written as the {@code \}{@code u} escape of
     * its own code unit, e.g. {@code \}{@code ud800}, and
     * {@link #parse} gives the same string back). Everything else is written as is.
     */
    public static StringBuilder quote(StringBuilder out, String s) {
        if (s == null) {
            return out.append("null");
        }
        out.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        unicodeEscape(out, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i)); // a well-formed pair: one code point, kept as is
                    } else if (Character.isSurrogate(c)) {
                        unicodeEscape(out, c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    private static void unicodeEscape(StringBuilder out, char c) {
        out.append("\\u")
                .append(HEX[c >> 12 & 0xf])
                .append(HEX[c >> 8 & 0xf])
                .append(HEX[c >> 4 & 0xf])
                .append(HEX[c & 0xf]);
    }

    /**
     * Parses exactly one JSON value: objects become ordered maps ({@link LinkedHashMap}), arrays
     * lists, strings {@link String}, numbers {@link BigDecimal} (as written: {@code 2.50} keeps its
     * scale), {@code true}/{@code false} {@link Boolean}, {@code null} null.
     *
     * @throws IllegalArgumentException "invalid JSON at offset N: why" for anything else, including
     *         duplicate keys, a bad {@code \\u} escape, trailing characters and the bounds above
     */
    public static Object parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("invalid JSON: no text");
        }
        JsonParser p;
        try {
            p = FACTORY.createParser(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.getMessage(), e);
        }
        try (p) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw invalid(p.currentLocation(), "no JSON value");
            }
            Object v = value(p, first);
            if (p.nextToken() != null) {
                throw invalid(p.currentTokenLocation(), "trailing characters after the JSON value");
            }
            return v;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation() != null ? e.getLocation() : p.currentLocation();
            throw invalid(at, e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.getMessage(), e); // cannot happen on a String
        }
    }

    /** Parses a JSON object (one export line, a receipt, a problem answer). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return (Map<String, Object>) v;
    }

    /** The value starting at {@code t}; recursion is bounded by {@link #MAX_DEPTH}, which the parser enforces. */
    private static Object value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName(); // k is FIELD_NAME: the parser accepts nothing else here
                    m.put(name, value(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    l.add(value(p, e));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return number(p);
            }
            case VALUE_TRUE -> {
                return true;
            }
            case VALUE_FALSE -> {
                return false;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw invalid(p.currentTokenLocation(), "unexpected " + t);
        }
    }

    /** The number exactly as written (the parser already checked its syntax and length). */
    private static BigDecimal number(JsonParser p) throws IOException {
        BigDecimal d;
        try {
            d = new BigDecimal(p.getText());
        } catch (NumberFormatException e) {
            throw invalid(p.currentTokenLocation(), "number out of range: " + p.getText());
        }
        if (Math.abs((long) d.scale()) > MAX_SCALE) {
            throw invalid(
                    p.currentTokenLocation(), "number out of range (scale beyond ±" + MAX_SCALE + "): " + p.getText());
        }
        return d;
    }

    private static IllegalArgumentException invalid(JsonLocation at, String why) {
        return invalid(at, why, null);
    }

    private static IllegalArgumentException invalid(JsonLocation at, String why, Throwable cause) {
        // Jackson names its own settings in limit messages; an operator needs the limit, not the API
        String reason = why == null ? "malformed" : why.replaceAll(", from `[^`]*`\\)", ")");
        String where = at == null || at.getCharOffset() < 0 ? "" : " at offset " + at.getCharOffset();
        return new IllegalArgumentException("invalid JSON" + where + ": " + reason, cause);
    }
}

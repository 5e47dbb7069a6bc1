package jp.sekisho.gateway.audit;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.json.Json;

/**
 * An event's detail JSON indented for reading on the detail page. The value stays exactly the same
 * JSON (strings keep every character, as escapes where needed): beside what {@link Json#quote}
 * escapes, DEL, C1 controls and bidi overrides are written as {@code \}{@code uXXXX}, so a detail
 * cannot reverse or hide the text around it on screen. A detail that is not JSON (it cannot be: the
 * store replaces such details) is shown as text.
 */
final class PrettyJson {

    private PrettyJson() {}

    static String of(String json) {
        if (json == null) {
            return "";
        }
        Object v;
        try {
            v = Json.parse(json);
        } catch (IllegalArgumentException e) {
            return jp.sekisho.cli.Printable.of(json);
        }
        StringBuilder out = new StringBuilder(json.length() * 2);
        write(out, v, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object v, int depth) {
        if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                indent(out, depth + 1);
                quote(out, (String) e.getKey());
                out.append(": ");
                write(out, e.getValue(), depth + 1);
                out.append(++i < m.size() ? ",\n" : "\n");
            }
            indent(out, depth);
            out.append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append("[\n");
            for (int i = 0; i < l.size(); i++) {
                indent(out, depth + 1);
                write(out, l.get(i), depth + 1);
                out.append(i + 1 < l.size() ? ",\n" : "\n");
            }
            indent(out, depth);
            out.append(']');
        } else if (v instanceof String s) {
            quote(out, s);
        } else if (v instanceof BigDecimal d) {
            out.append(d.toString());
        } else {
            out.append(v); // true, false, null
        }
    }

    private static void quote(StringBuilder out, String s) {
        StringBuilder q = Json.quote(new StringBuilder(), s);
        for (int i = 0; i < q.length(); i++) {
            char c = q.charAt(i);
            if ((c >= 0x7f && c <= 0x9f)
                    || c == 0x061c
                    || c == 0x200e
                    || c == 0x200f
                    || (c >= 0x202a && c <= 0x202e)
                    || (c >= 0x2066 && c <= 0x2069)) {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
    }

    private static void indent(StringBuilder out, int depth) {
        out.append("  ".repeat(depth));
    }
}

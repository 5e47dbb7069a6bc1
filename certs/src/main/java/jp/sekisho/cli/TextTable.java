package jp.sekisho.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A table for a terminal whose columns line up with Japanese in them: widths are counted in
 * terminal columns ({@link DisplayWidth}), every cell is made {@link Printable} (a value from outside
 * cannot break the line or move the cursor), and a long cell is cut with "…" at {@code maxCell}.
 */
public final class TextTable {

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();
    private final int maxCell;

    /** Headers are usually "日本語 English", e.g. {@code "参照番号 Ref"}. */
    public TextTable(List<String> headers, int maxCell) {
        this.headers = List.copyOf(headers);
        this.maxCell = maxCell;
    }

    public TextTable(String... headers) {
        this(List.of(headers), 60);
    }

    public TextTable row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("a row has " + headers.size() + " cells, not " + cells.length);
        }
        List<String> r = new ArrayList<>(cells.length);
        for (Object c : cells) {
            r.add(cut(c == null ? "-" : Printable.of(String.valueOf(c))));
        }
        rows.add(r);
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    private String cut(String s) {
        if (DisplayWidth.of(s) <= maxCell) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        int w = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int cw = DisplayWidth.of(cp);
            if (w + cw > maxCell - 1) {
                break;
            }
            b.appendCodePoint(cp);
            w += cw;
            i += Character.charCount(cp);
        }
        return b.append('…').toString();
    }

    /** The table, one line per row, columns separated by two spaces, no trailing spaces. */
    public String render() {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = DisplayWidth.of(headers.get(i));
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], DisplayWidth.of(r.get(i)));
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers, width);
        for (List<String> r : rows) {
            line(out, r, width);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            l.append(i == cells.size() - 1 ? cells.get(i) : DisplayWidth.pad(cells.get(i), width[i]) + "  ");
        }
        out.append(l.toString().stripTrailing()).append('\n');
    }
}

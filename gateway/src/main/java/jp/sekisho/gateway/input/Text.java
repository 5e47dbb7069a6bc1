package jp.sekisho.gateway.input;

/** The characters no text from outside may hold, whatever the field: controls and bidi formatting. */
final class Text {

    private Text() {}

    /** C0 controls, DEL and C1 controls. */
    static boolean isControl(int c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f);
    }

    /**
     * Bidi marks, embeddings, overrides and isolates: they make a name read differently from what it is
     * ({@code invoice\u202Efdp.exe} shows as {@code invoiceexe.pdf}).
     */
    static boolean isBidi(int c) {
        return c == 0x061c
                || c == 0x200e
                || c == 0x200f
                || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069);
    }

    /** The first code point that is a control (other than those {@code allowed}) or a bidi mark, or -1. */
    static int firstForbidden(String s, String allowed) {
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if ((isControl(c) && allowed.indexOf(c) < 0) || isBidi(c)) {
                return c;
            }
            i += Character.charCount(c);
        }
        return -1;
    }

    static String describe(int c) {
        return String.format("U+%04X", c);
    }
}

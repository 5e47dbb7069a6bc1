package jp.sekisho.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jp.sekisho.certs.testing.Fuzz;
import org.junit.jupiter.api.Test;

class PrintableTest {

    @Test
    void controlsAndBidiAreVisibleAndTheBackslashIsEscaped() {
        assertEquals(
                "a\\x0d\\x0aFORGED\\x1b[31m\\x07\\x7f\\x85\\u202eevil\\u2066\\\\x1b",
                Printable.of("a\r\nFORGED\u001b[31m\u0007\u007f\u0085\u202eevil\u2066\\x1b"));
    }

    @Test
    void forALogTheControlsAreEscapedAndABackslashIsKept() {
        assertEquals(
                "C:\\dir a\\x0d\\x0aFORGED\\x1b[31m \\x1b \\u202eevil",
                Printable.forLog("C:\\dir a\r\nFORGED\u001b[31m " + Printable.of("\u001b") + " \u202eevil"));
        String plain = "送信しました route=kurume-benefit C:\\x";
        assertSame(plain, Printable.forLog(plain));
    }

    @Test
    void japaneseAndEmojiArePrintedAsIs() {
        String s = "CN=山田 太郎,O=札幌市 情報政策課,C=JP \uD83D\uDE00";
        assertSame(s, Printable.of(s));
        assertEquals("\\ud800x", Printable.of("\uD800x"));
    }

    @Test
    void noOutputHoldsAControlOrBidiCharacter() {
        Fuzz.run("Printable.of", 500, r -> Fuzz.string(r, 300), s -> {
            String p = Printable.of(s);
            assertTrue(p.chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x202e || c == 0x2028), p);
        });
    }
}

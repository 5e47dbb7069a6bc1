package jp.sekisho.client.support;

/** What the tests of "Japanese first, English beside it" check of a printed text. */
public final class JapaneseText {

    private JapaneseText() {}

    /** A Japanese character (kana or kanji) comes before the first ASCII letter, and there is one. */
    public static boolean japaneseFirst(String text) {
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
                return false;
            }
            Character.UnicodeScript script = Character.UnicodeScript.of(c);
            if (script == Character.UnicodeScript.HAN
                    || script == Character.UnicodeScript.HIRAGANA
                    || script == Character.UnicodeScript.KATAKANA) {
                return true;
            }
            i += Character.charCount(c);
        }
        return false;
    }
}

package jp.sekisho.audit.chain;

import java.util.HexFormat;

/** Lower-case hex, the one spelling of hashes everywhere in the store and its exports. */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {}

    public static String of(byte[] b) {
        return HEX.formatHex(b);
    }

    public static byte[] parse(String s) {
        return HEX.parseHex(s);
    }
}

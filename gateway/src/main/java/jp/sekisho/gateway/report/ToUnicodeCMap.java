package jp.sekisho.gateway.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.fontbox.cmap.CMap;
import org.apache.fontbox.cmap.CMapParser;
import org.apache.pdfbox.io.RandomAccessReadBuffer;

/**
 * A Type0 font's ToUnicode CMap as the map it means (two-byte code to text), with radicals folded into the
 * ideographs they stand for. Only two-byte codes are handled (PDFBox writes Identity-H fonts with codespace
 * {@code <0000> <FFFF>}); a CMap with one-byte codes is not ours and is left alone.
 *
 * @param codes every code that has text, in code order (bfranges already expanded, one entry per code)
 */
record ToUnicodeCMap(SortedMap<Integer, String> codes) {

    /** The largest decoded ToUnicode read: a subset of one font cannot need more (65,536 codes × ~30 bytes). */
    static final int MAX_BYTES = 4 * 1024 * 1024;

    /** Entries per bfchar block: the CMap format allows at most 100. */
    static final int PER_BLOCK = 100;

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    ToUnicodeCMap {
        codes = Collections.unmodifiableSortedMap(new TreeMap<>(codes));
    }

    /** The CMap in {@code in}, or empty when it has one-byte codes, is too large, or does not parse. */
    static Optional<ToUnicodeCMap> read(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
            return Optional.empty();
        }
        CMap cmap;
        try {
            cmap = new CMapParser().parse(new RandomAccessReadBuffer(bytes));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not a CMap we can rewrite: leave the font as it is
        }
        for (int code = 0; code <= 0xFF; code++) {
            if (cmap.toUnicode(code, 1) != null) {
                return Optional.empty();
            }
        }
        // fontbox has no listing of its mappings; asking each two-byte code is 65,536 map look-ups
        SortedMap<Integer, String> codes = new TreeMap<>();
        for (int code = 0; code <= 0xFFFF; code++) {
            String s = cmap.toUnicode(code, 2);
            if (s != null) {
                codes.put(code, s);
            }
        }
        return Optional.of(new ToUnicodeCMap(codes));
    }

    /** This CMap with each radical replaced by its unified ideograph (the same CMap when none is). */
    ToUnicodeCMap unified() {
        SortedMap<Integer, String> out = new TreeMap<>();
        for (Map.Entry<Integer, String> e : codes.entrySet()) {
            out.put(e.getKey(), unify(e.getValue()));
        }
        return new ToUnicodeCMap(out);
    }

    /**
     * {@code s} with every code point of the Kangxi Radicals (U+2F00–U+2FDF) or CJK Radicals Supplement
     * (U+2E80–U+2EFF) blocks replaced by what NFKC makes of it, when that is one CJK Unified Ideograph. Every
     * Kangxi radical folds so; of the Supplement only a few have a compatibility mapping (⺟ U+2E9F → 母, ⻳
     * U+2EF3 → 龟), the others have none and stay as they are rather than be guessed.
     */
    static String unify(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (cp >= 0x2E80 && cp <= 0x2FDF) {
                String n = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC);
                if (n.codePointCount(0, n.length()) == 1 && unifiedIdeograph(n.codePointAt(0))) {
                    b.append(n);
                    return;
                }
            }
            b.appendCodePoint(cp);
        });
        return b.toString();
    }

    static boolean unifiedIdeograph(int cp) {
        Character.UnicodeBlock block = Character.UnicodeBlock.of(cp);
        return block != null && block.toString().startsWith("CJK_UNIFIED_IDEOGRAPHS");
    }

    /** The CMap program, laid out as PDFBox's ToUnicodeWriter lays it out, every code as a bfchar. */
    byte[] encode() {
        StringBuilder b = new StringBuilder(64 + codes.size() * 16);
        b.append("/CIDInit /ProcSet findresource begin\n12 dict begin\n\nbegincmap\n/CIDSystemInfo\n")
                .append("<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n\n")
                .append("/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\n")
                .append("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n\n");
        int inBlock = 0;
        int left = codes.size();
        for (Map.Entry<Integer, String> e : codes.entrySet()) {
            if (inBlock == 0) {
                b.append(Math.min(PER_BLOCK, left)).append(" beginbfchar\n");
            }
            b.append('<')
                    .append(HEX.toHexDigits((short) e.getKey().intValue()))
                    .append("> <")
                    .append(HEX.formatHex(e.getValue().getBytes(StandardCharsets.UTF_16BE)))
                    .append(">\n");
            inBlock++;
            left--;
            if (inBlock == PER_BLOCK || left == 0) {
                b.append("endbfchar\n\n");
                inBlock = 0;
            }
        }
        b.append("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }
}

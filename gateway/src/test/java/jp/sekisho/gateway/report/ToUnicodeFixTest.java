package jp.sekisho.gateway.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType0Font;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ToUnicode fix on PDFs made here with PDFBox and the IPAex Gothic the gateway uses, read back by the real
 * {@code pdftotext}: radicals before, the ideographs after, the rest untouched.
 */
class ToUnicodeFixTest {

    static final Path FONT = Path.of("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf");
    static final String TEXT = "令和2年4月30日 月 用 金 日";

    @TempDir
    Path dir;

    @Test
    void radicalsInTheTextLayerBecomeTheIdeographsThePageShows() throws Exception {
        byte[] before = pdf(TEXT, true);
        String raw = pdftotext(before);
        // the defect this fixes: without the fix the text layer names the Kangxi radicals
        assertTrue(raw.contains("\u2F47") && raw.contains("\u2F49"), "PDFBox writes ⽇ and ⽉: " + raw);
        assertFalse(raw.contains(TEXT), raw);

        byte[] after = ToUnicodeFix.apply(before);
        String text = pdftotext(after);
        assertTrue(text.contains(TEXT), text);
        assertTrue(text.contains("令和2年4月30日"), text);
        assertTrue(text.codePoints().noneMatch(cp -> cp >= 0x2E80 && cp <= 0x2FDF), text);

        // every code keeps its text unless it was a radical; no code is added or lost
        SortedMap<Integer, String> was = toUnicode(before);
        SortedMap<Integer, String> now = toUnicode(after);
        assertEquals(was.keySet(), now.keySet());
        int radicals = 0;
        for (Map.Entry<Integer, String> e : was.entrySet()) {
            String w = e.getValue();
            if (w.codePoints().anyMatch(cp -> cp >= 0x2E80 && cp <= 0x2FDF)) {
                radicals++;
                assertEquals(java.text.Normalizer.normalize(w, java.text.Normalizer.Form.NFKC), now.get(e.getKey()));
            } else {
                assertEquals(w, now.get(e.getKey()), "code " + Integer.toHexString(e.getKey()));
            }
        }
        assertEquals(4, radicals, "日 月 用 金: " + was);
        // fixing twice changes nothing more
        assertArrayEquals(after, ToUnicodeFix.apply(after));
    }

    @Test
    void aPdfWithNothingToFixIsReturnedByteForByte() throws Exception {
        byte[] latin = pdf("Council report 2026", false);
        assertArrayEquals(latin, ToUnicodeFix.apply(latin), "no Type0 font");
        byte[] clean = pdf("令和2年4", true);
        assertEquals("令和2年4", pdftotext(clean).strip());
        assertArrayEquals(clean, ToUnicodeFix.apply(clean), "a Type0 font whose text is already right");
    }

    @Test
    void aCodeInsideABfrangeChangesAloneAndTheOthersKeepTheirText() throws Exception {
        String program = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                + "/CMapName /Test-UCS def\n/CMapType 2 def\n"
                + "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
                + "3 beginbfrange\n"
                + "<0010> <0013> <2F45>\n" // ⽅ ⽆ ⽇ ⽈ -> 方 无 日 曰
                + "<0020> <0023> <2EFE>\n" // U+2EFE, U+2EFF unassigned, then ⼀ ⼁ -> 一 丨
                + "<0030> <0032> <0041>\n" // A B C
                + "endbfrange\n"
                + "3 beginbfchar\n"
                + "<0040> <2E80>\n" // ⺀ has no compatibility mapping: stays
                + "<0041> <2E9F>\n" // ⺟ -> 母
                + "<0042> <D840DC0B>\n" // a supplementary ideograph, U+2000B, untouched
                + "endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
        ToUnicodeCMap cmap = ToUnicodeCMap.read(new ByteArrayInputStream(program.getBytes(StandardCharsets.US_ASCII)))
                .orElseThrow();
        SortedMap<Integer, String> want = new TreeMap<>();
        want.put(0x10, "方");
        want.put(0x11, "无");
        want.put(0x12, "日");
        want.put(0x13, "曰");
        want.put(0x20, "\u2EFE");
        want.put(0x21, "\u2EFF");
        want.put(0x22, "一");
        want.put(0x23, "丨");
        want.put(0x30, "A");
        want.put(0x31, "B");
        want.put(0x32, "C");
        want.put(0x40, "\u2E80");
        want.put(0x41, "母");
        want.put(0x42, new String(Character.toChars(0x2000B)));
        ToUnicodeCMap fixed = cmap.unified();
        assertEquals(want, fixed.codes());
        // what is written reads back as the same map
        ToUnicodeCMap again =
                ToUnicodeCMap.read(new ByteArrayInputStream(fixed.encode())).orElseThrow();
        assertEquals(want, again.codes());
    }

    @Test
    void theWrittenCMapHasAtMostOneHundredEntriesPerBlock() throws Exception {
        SortedMap<Integer, String> many = new TreeMap<>();
        for (int i = 0; i < 250; i++) {
            many.put(0x100 + i * 3, new String(Character.toChars(0x4E00 + i)));
        }
        byte[] program = new ToUnicodeCMap(many).encode();
        String s = new String(program, StandardCharsets.US_ASCII);
        Matcher m = Pattern.compile("(?m)^(\\d+) beginbfchar$").matcher(s);
        List<Integer> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(Integer.parseInt(m.group(1)));
        }
        assertEquals(List.of(100, 100, 50), blocks, s);
        assertEquals(3, s.split("endbfchar", -1).length - 1, s);
        assertEquals(
                many,
                ToUnicodeCMap.read(new ByteArrayInputStream(program))
                        .orElseThrow()
                        .codes());
    }

    @Test
    void aCMapWithOneByteCodesIsLeftAlone() throws Exception {
        String program = "begincmap\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
                + "1 beginbfchar\n<41> <2F47>\nendbfchar\nendcmap\n";
        assertTrue(ToUnicodeCMap.read(new ByteArrayInputStream(program.getBytes(StandardCharsets.US_ASCII)))
                .isEmpty());
    }

    @Test
    void theRenderedPdfIsBoundedInMemory() {
        PdfReport.Bounded b = new PdfReport.Bounded(10);
        b.write(new byte[9], 0, 9);
        b.write(1);
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class, () -> b.write(2));
        assertTrue(e.getMessage().contains("PDF が大きすぎます") && e.getMessage().contains("10 bytes"), e.getMessage());
        assertEquals(10, b.size(), "nothing past the bound is kept");
    }

    /** A one-page PDF saved by PDFBox: IPAex Gothic embedded as a subset, or Helvetica (no Type0 font). */
    static byte[] pdf(String text, boolean ipaex) throws Exception {
        assertTrue(Files.isReadable(FONT), "fonts-ipaexfont-gothic is installed: " + FONT);
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(PDRectangle.A4);
            doc.addPage(page);
            PDFont font =
                    ipaex ? PDType0Font.load(doc, FONT.toFile()) : new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                cs.beginText();
                cs.setFont(font, 14);
                cs.newLineAtOffset(50, 700);
                cs.showText(text);
                cs.endText();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        }
    }

    /** The first page's first Type0 font's ToUnicode, as code to text. */
    static SortedMap<Integer, String> toUnicode(byte[] pdf) throws Exception {
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            var fonts = doc.getPage(0).getResources().getCOSObject().getCOSDictionary(COSName.FONT);
            for (COSName name : fonts.keySet()) {
                var f = fonts.getCOSDictionary(name);
                if (COSName.TYPE0.equals(f.getCOSName(COSName.SUBTYPE))
                        && f.getDictionaryObject(COSName.TO_UNICODE) instanceof COSStream s) {
                    try (var in = s.createInputStream()) {
                        return ToUnicodeCMap.read(in).orElseThrow().codes();
                    }
                }
            }
        }
        throw new AssertionError("no Type0 font with a ToUnicode");
    }

    String pdftotext(byte[] pdf) throws Exception {
        Path file = Files.createTempFile(dir, "t", ".pdf");
        Files.write(file, pdf);
        Process p = new ProcessBuilder("pdftotext", "-enc", "UTF-8", file.toString(), "-")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}

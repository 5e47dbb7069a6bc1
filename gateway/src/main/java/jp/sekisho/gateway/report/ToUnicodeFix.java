package jp.sekisho.gateway.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;

/**
 * Makes a PDF's text layer say the ideographs its pages show. IPAex Gothic gives some ideographs and their
 * Kangxi radical twins one glyph (日 U+65E5 and ⽇ U+2F47; 月, 用, 金 ...), and PDFBox's ToUnicode names the
 * lowest code point of a glyph (PDCIDFontType2Embedder, apache/pdfbox PR #470 not merged), so copying, search
 * and {@code pdftotext} gave radicals. The CMap is written when the document is saved (with the subset), so
 * this runs on the saved bytes: each Type0 font's /ToUnicode is rewritten with radicals folded into their
 * ideographs ({@link ToUnicodeCMap#unify}). A glyph can carry one text only; the ideograph is what a
 * report means (a radical typed into a title prints the same and now copies as its ideograph).
 */
final class ToUnicodeFix {

    /** Form XObjects nested deeper than this are not searched (openhtmltopdf nests none). */
    static final int MAX_DEPTH = 16;

    private ToUnicodeFix() {}

    /** {@code pdf} with its ToUnicode CMaps fixed; the same bytes when no CMap needed it. */
    static byte[] apply(byte[] pdf) throws IOException {
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            Set<COSBase> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            boolean changed = false;
            for (PDPage page : doc.getPages()) {
                if (page.getResources() != null) {
                    changed |= resources(page.getResources().getCOSObject(), seen, 0);
                }
            }
            if (!changed) {
                return pdf;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(pdf.length + 4096);
            doc.save(out);
            return out.toByteArray();
        }
    }

    private static boolean resources(COSDictionary res, Set<COSBase> seen, int depth) throws IOException {
        if (res == null || depth > MAX_DEPTH || !seen.add(res)) {
            return false;
        }
        boolean changed = false;
        COSDictionary fonts = res.getCOSDictionary(COSName.FONT);
        if (fonts != null) {
            for (COSName name : fonts.keySet()) {
                changed |= font(fonts.getCOSDictionary(name), seen);
            }
        }
        COSDictionary xobjects = res.getCOSDictionary(COSName.XOBJECT);
        if (xobjects != null) {
            for (COSName name : xobjects.keySet()) {
                if (xobjects.getDictionaryObject(name) instanceof COSStream x
                        && COSName.FORM.equals(x.getCOSName(COSName.SUBTYPE))) {
                    changed |= resources(x.getCOSDictionary(COSName.RESOURCES), seen, depth + 1);
                }
            }
        }
        return changed;
    }

    private static boolean font(COSDictionary font, Set<COSBase> seen) throws IOException {
        if (font == null
                || !COSName.TYPE0.equals(font.getCOSName(COSName.SUBTYPE))
                || !(font.getDictionaryObject(COSName.TO_UNICODE) instanceof COSStream cmap)
                || !seen.add(cmap)) {
            return false;
        }
        Optional<ToUnicodeCMap> read;
        try (InputStream in = cmap.createInputStream()) {
            read = ToUnicodeCMap.read(in);
        }
        if (read.isEmpty()) {
            return false;
        }
        ToUnicodeCMap fixed = read.get().unified();
        if (fixed.equals(read.get())) {
            return false;
        }
        // the whole stream is rewritten as bfchar, one code per line: a code inside a bfrange changes alone
        try (OutputStream out = cmap.createOutputStream(COSName.FLATE_DECODE)) {
            out.write(fixed.encode());
        }
        return true;
    }
}

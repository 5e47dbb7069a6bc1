package jp.sekisho.gateway.report;

import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The report as PDF: the HTML report laid out on A4 by openhtmltopdf (PDFBox), with IPAex Gothic embedded
 * as a subset so that Japanese renders the same on every reader. The IPA Font License v1.0 allows
 * embedding the font in a document (docs/reports.md names the licence and where Debian ships its text).
 */
public final class PdfReport {

    /** The family name the stylesheet asks for first (report.css). */
    static final String FAMILY = "IPAexGothic";

    private PdfReport() {}

    /** Writes the PDF of {@code v} to {@code out}; {@code font} must be a readable TrueType file. */
    public static void write(ReportView v, Path font, OutputStream out) throws IOException {
        if (font == null || !Files.isReadable(font)) {
            throw new FontMissingException(font);
        }
        PdfRendererBuilder b = new PdfRendererBuilder();
        b.useFastMode();
        b.useFont(font.toFile(), FAMILY);
        b.withHtmlContent(HtmlReport.of(v), null);
        b.toStream(out);
        b.run();
        out.flush();
    }

    /** The configured font file cannot be read: REPORT_FONT_MISSING. */
    public static final class FontMissingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FontMissingException(Path font) {
            super("PDF 用の日本語フォントが読めません: " + font
                    + "（gateway.yml の report.font を確認し、Debian では fonts-ipaexfont-gothic を入れてください）"
                    + " / the Japanese font for PDF reports cannot be read: " + font
                    + " (check report.font in gateway.yml; on Debian install fonts-ipaexfont-gothic)");
        }
    }
}

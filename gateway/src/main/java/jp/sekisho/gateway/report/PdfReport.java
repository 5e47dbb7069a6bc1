package jp.sekisho.gateway.report;

import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

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
        PdfLog.install();
        PdfRendererBuilder b = new PdfRendererBuilder();
        b.useFastMode();
        b.useFont(font.toFile(), FAMILY);
        b.withHtmlContent(HtmlReport.of(v), null);
        // the ToUnicode CMaps exist only once the document is saved: render to memory, fix them, then send
        Bounded pdf = new Bounded(MAX_BYTES);
        b.toStream(pdf);
        b.run();
        out.write(ToUnicodeFix.apply(pdf.toByteArray()));
        out.flush();
    }

    /** The longest PDF made, to keep memory bounded: one approval's report is about 70 KB with its font subset. */
    static final int MAX_BYTES = 64 * 1024 * 1024;

    /** The rendered PDF in memory, refused past {@code max} bytes. */
    static final class Bounded extends ByteArrayOutputStream {
        private final int max;

        Bounded(int max) {
            this.max = max;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            room(len);
            super.write(b, off, len);
        }

        @Override
        public synchronized void write(int b) {
            room(1);
            super.write(b);
        }

        private void room(int len) {
            if (count + (long) len > max) {
                String n = String.format(Locale.ROOT, "%,d", max);
                throw new UncheckedIOException(new IOException("PDF が大きすぎます（" + n
                        + " バイトまで）。期間を短くして作り直してください / the PDF exceeds " + n
                        + " bytes; make the report for a shorter period"));
            }
        }
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

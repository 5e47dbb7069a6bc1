package jp.sekisho.gateway.report;

import gg.jte.html.OwaspHtmlTemplateOutput;
import gg.jte.output.WriterOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import jp.sekisho.gateway.console.templates.report.JtereportGenerated;

/**
 * The report as one self-contained XHTML page (template report/report.jte, the stylesheet inline): the
 * browser's page and the PDF's source are the same document. jte escapes every value for HTML.
 */
public final class HtmlReport {

    private static final String CSS = css();

    private HtmlReport() {}

    public static void write(ReportView v, Writer out) throws IOException {
        JtereportGenerated.render(new OwaspHtmlTemplateOutput(new WriterOutput(out)), null, v, CSS);
        out.flush();
    }

    static String of(ReportView v) {
        StringWriter w = new StringWriter();
        try {
            write(v, w);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static String css() {
        try (InputStream in = HtmlReport.class.getResourceAsStream("/report/report.css")) {
            if (in == null) {
                throw new IllegalStateException("report/report.css missing from the gateway's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

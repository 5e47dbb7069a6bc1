package jp.sekisho.gateway.report;

import java.util.Locale;

/** The formats a report is rendered in, and the media type each is served as. */
public enum ReportFormat {
    HTML("text/html; charset=utf-8", "html"),
    PDF("application/pdf", "pdf"),
    MD("text/markdown; charset=utf-8", "md");

    private final String mediaType;
    private final String extension;

    ReportFormat(String mediaType, String extension) {
        this.mediaType = mediaType;
        this.extension = extension;
    }

    public String mediaType() {
        return mediaType;
    }

    public String extension() {
        return extension;
    }

    /** html (default), pdf or md; anything else is refused naming the accepted ones. */
    public static ReportFormat parse(String s) {
        if (s == null || s.isEmpty()) {
            return HTML;
        }
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "html" -> HTML;
            case "pdf" -> PDF;
            case "md", "markdown" -> MD;
            default ->
                throw new IllegalArgumentException("format: html、pdf、md のいずれかです / format must be html, pdf or md");
        };
    }
}

package jp.sekisho.gateway.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The optional {@code report:} section (docs/gateway-config.md, docs/reports.md): the TrueType font the PDF
 * reports embed. Default: Debian's IPAex Gothic (fonts-ipaexfont-gothic). A missing file is not a
 * configuration error (the gateway serves everything else); a PDF asked for then is refused with
 * REPORT_FONT_MISSING.
 */
public record ReportSettings(Path font) {

    public static final Path DEFAULT_FONT = Path.of("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf");
    public static final ReportSettings DEFAULTS = new ReportSettings(DEFAULT_FONT);

    /** Reads the section; the defaults when there is none. A mistake names the key. */
    public static ReportSettings from(Object section, Path file) {
        if (section == null) {
            return DEFAULTS;
        }
        if (!(section instanceof Map<?, ?> m)) {
            throw new ConfigException(file + ": report: expected a mapping (font)");
        }
        for (Object k : m.keySet()) {
            if (!"font".equals(String.valueOf(k))) {
                throw new ConfigException(file + ": report." + k + ": unknown key (expected font)");
            }
        }
        Object font = m.get("font");
        if (font == null) {
            return DEFAULTS;
        }
        String s = String.valueOf(font);
        if (s.isBlank() || s.length() > 4096 || s.indexOf('\0') >= 0) {
            throw new ConfigException(file + ": report.font: expected the path of a TrueType font file");
        }
        Path p = Path.of(s);
        return new ReportSettings(
                p.isAbsolute() ? p : file.toAbsolutePath().getParent().resolve(p));
    }
}

package jp.sekisho.gateway.report;

import com.openhtmltopdf.util.Diagnostic;
import com.openhtmltopdf.util.XRLog;
import com.openhtmltopdf.util.XRLogger;
import java.util.logging.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * openhtmltopdf logs through java.util.logging straight to stderr, INFO included ("Using fast-mode
 * renderer. Prepare to fly." on every report, in the middle of the demo and the gateway's log). This
 * sends it to SLF4J under {@code com.openhtmltopdf.*}, where the gateway's levels apply: its warnings
 * and errors are kept, its chatter is DEBUG.
 */
final class PdfLog implements XRLogger {

    private static final PdfLog INSTANCE = new PdfLog();

    private PdfLog() {}

    /** Installs this as openhtmltopdf's logger; idempotent. */
    static void install() {
        if (XRLog.getLoggerImpl() != INSTANCE) {
            XRLog.setLoggerImpl(INSTANCE);
        }
    }

    @Override
    public void log(String where, Level level, String msg) {
        log(where, level, msg, null);
    }

    @Override
    public void log(String where, Level level, String msg, Throwable th) {
        Logger log = LoggerFactory.getLogger(where);
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            log.error(msg, th);
        } else if (v >= Level.WARNING.intValue()) {
            log.warn(msg, th);
        } else {
            log.debug(msg, th);
        }
    }

    @Override
    public void setLevel(String logger, Level level) {
        // levels are SLF4J's (the gateway's logging set-up), not openhtmltopdf's
    }

    @Override
    public boolean isLogLevelEnabled(Diagnostic diagnostic) {
        return diagnostic.getLevel().intValue() >= Level.WARNING.intValue()
                || LoggerFactory.getLogger("com.openhtmltopdf").isDebugEnabled();
    }
}

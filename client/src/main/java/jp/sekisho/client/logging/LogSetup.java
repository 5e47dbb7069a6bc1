package jp.sekisho.client.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sekisho's logging set-up, in code instead of a logback.xml: reading XML costs every command a few
 * hundred classes and tens of milliseconds at start (issue 18), and a command-line tool pays that
 * on every run. Logs go to stderr so that stdout stays clean for scripts; {@code SEKISHO_LOG_LEVEL}
 * sets Sekisho's own level (INFO by default), libraries log warnings only.
 *
 * <p>An operator who wants another set-up still can: with {@code -Dlogback.configurationFile=...}
 * (or a logback-test.xml on a test class path) this steps aside and logback reads that file.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

    /** One line per event; {@code %ex} named so that it is ours, not the one logback would add. */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX} %-5level [%thread] %logger{24} - %msg%n%ex";

    /** Libraries that log more than an operator needs: warnings only. */
    private static final Map<String, Level> QUIET = Map.of(
            "org.flywaydb", Level.WARN,
            "io.zonky", Level.WARN,
            "io.micronaut", Level.WARN,
            "io.netty", Level.WARN,
            "com.zaxxer.hikari", Level.WARN,
            // the council report's PDF: "Format 14 cmap table is not supported" (IPAex's variation
            // selectors, ignored) and standard-font fallbacks say nothing an operator can act on
            "org.apache.fontbox", Level.ERROR,
            "org.apache.pdfbox.pdmodel.font", Level.ERROR,
            // the report's stylesheet serves browsers too: the PDF renderer skips what it does not know
            "com.openhtmltopdf.css-parse", Level.ERROR);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout(context));
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        context.getLogger("jp.sekisho").setLevel(sekishoLevel(System.getenv("SEKISHO_LOG_LEVEL")));
        QUIET.forEach((name, level) -> context.getLogger(name).setLevel(level));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * The lines' layout: {@link #PATTERN}, with the message and the exceptions printed through
     * {@link PrintableMessage} and {@link PrintableThrowable}, so that no value in a log line can
     * forge another line or carry a terminal's control sequence.
     */
    static PatternLayout layout(Context context) {
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        for (String word : List.of("m", "msg", "message")) {
            layout.getInstanceConverterMap().put(word, PrintableMessage::new);
        }
        for (String word : List.of("ex", "exception", "throwable")) {
            layout.getInstanceConverterMap().put(word, PrintableThrowable::new);
        }
        layout.setPattern(PATTERN);
        layout.start();
        return layout;
    }

    /** SEKISHO_LOG_LEVEL as logback reads a level: unknown or empty text means INFO. */
    static Level sekishoLevel(String env) {
        return env == null || env.isBlank()
                ? Level.INFO
                : Level.toLevel(env.trim().toUpperCase(Locale.ROOT), Level.INFO);
    }
}

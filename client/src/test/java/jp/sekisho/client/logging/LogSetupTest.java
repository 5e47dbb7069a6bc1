package jp.sekisho.client.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A log line shows values from outside: a dropped file's name, an error text a gateway or an
 * upstream sent. None of them may start a forged line or reach the terminal as a control sequence,
 * whether the caller escaped it or not; a stack trace keeps its own lines.
 */
class LogSetupTest {

    private static final String FORGED =
            "evil\r\n2026-12-06T00:00:00.000Z INFO  [main] x - forged\u001b]0;title\u0007\u202e";

    @Test
    void aMessageAndAnExceptionCannotAddALineOrAControl() {
        LoggerContext context = new LoggerContext();
        Logger logger = context.getLogger("jp.sekisho.test");
        IOException failure = new IOException("peer said:\n" + FORGED, new IllegalStateException("cause\r" + FORGED));
        failure.addSuppressed(new RuntimeException("suppressed\n" + FORGED));
        LoggingEvent event = new LoggingEvent(
                Logger.class.getName(), logger, Level.WARN, "file {} not sent", failure, new Object[] {FORGED});

        String out = LogSetup.layout(context).doLayout(event);

        List<String> lines = out.lines().toList();
        assertTrue(
                lines.get(0)
                        .endsWith(" - file evil\\x0d\\x0a2026-12-06T00:00:00.000Z INFO  [main] x - forged"
                                + "\\x1b]0;title\\x07\\u202e not sent"),
                lines.get(0));
        assertTrue(lines.get(1).startsWith("java.io.IOException: peer said:\\x0aevil\\x0d\\x0a2026"), lines.get(1));
        for (String line : lines.subList(2, lines.size())) {
            assertTrue(
                    line.startsWith("\t") || line.startsWith("Caused by: "), "a line the trace did not make: " + line);
        }
        assertTrue(out.contains("Caused by: java.lang.IllegalStateException: cause\\x0devil"), out);
        assertTrue(out.contains("Suppressed: java.lang.RuntimeException: suppressed\\x0aevil"), out);
        assertTrue(out.chars().noneMatch(c -> (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || c == 0x202e), out);
    }

    @Test
    void theCommandsLogThroughIt() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter()); // what slf4j's start gives the real context
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            new LogSetup().configure(context);
            context.getLogger("jp.sekisho.test").warn("received {}", FORGED);
        } finally {
            System.setErr(err);
            context.stop();
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.contains("received evil\\x0d\\x0a2026"), out);
    }
}

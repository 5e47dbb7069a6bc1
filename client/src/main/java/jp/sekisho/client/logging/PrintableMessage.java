package jp.sekisho.client.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import jp.sekisho.cli.Printable;

/**
 * {@code %msg} with its controls escaped ({@link Printable#forLog}): a value from outside (a file
 * name, an error a peer sent, a header) cannot start a forged log line or drive the terminal that
 * shows the log, whether or not the caller escaped it.
 */
public final class PrintableMessage extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return Printable.forLog(event.getFormattedMessage());
    }
}

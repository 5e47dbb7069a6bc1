package jp.sekisho.client.agent;

import java.io.PrintWriter;
import java.io.Writer;
import org.slf4j.Logger;

/** A writer whose lines go to a logger at INFO: the send's notices (resuming, starting afresh) in the agent's log. */
final class LogWriter extends Writer {

    private static final int MAX_LINE = 4096;

    private final Logger log;
    private final StringBuilder line = new StringBuilder();

    private LogWriter(Logger log) {
        this.log = log;
    }

    static PrintWriter to(Logger log) {
        return new PrintWriter(new LogWriter(log), true);
    }

    @Override
    public synchronized void write(char[] cbuf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            char c = cbuf[i];
            if (c == '\n') {
                emit();
            } else if (c != '\r' && line.length() < MAX_LINE) {
                line.append(c);
            }
        }
    }

    private void emit() {
        if (line.length() > 0) {
            log.info("{}", line);
            line.setLength(0);
        }
    }

    @Override
    public synchronized void flush() {
        emit();
    }

    @Override
    public void close() {
        flush();
    }
}

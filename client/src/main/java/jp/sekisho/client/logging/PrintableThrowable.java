package jp.sekisho.client.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import jp.sekisho.cli.Printable;

/**
 * {@code %ex} with each exception's message escaped ({@link Printable#forLog}), its frames as they
 * are: the stack trace keeps its lines, and a message cannot add one.
 */
public final class PrintableThrowable extends ThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy tp) {
        return super.throwableProxyToString(Escaped.of(tp));
    }

    /** A throwable as logback sees it, its message (and its causes' and suppressed ones') escaped. */
    private record Escaped(IThrowableProxy tp, IThrowableProxy cause, IThrowableProxy[] suppressed)
            implements IThrowableProxy {

        static IThrowableProxy of(IThrowableProxy tp) {
            if (tp == null) {
                return null; // logback's proxies already cut a cycle of causes: the walk ends
            }
            IThrowableProxy[] s = tp.getSuppressed();
            IThrowableProxy[] escaped = s == null ? null : new IThrowableProxy[s.length];
            for (int i = 0; escaped != null && i < s.length; i++) {
                escaped[i] = of(s[i]);
            }
            return new Escaped(tp, of(tp.getCause()), escaped);
        }

        @Override
        public String getMessage() {
            return Printable.forLog(tp.getMessage());
        }

        @Override
        public String getOverridingMessage() {
            return Printable.forLog(tp.getOverridingMessage());
        }

        @Override
        public String getClassName() {
            return tp.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return tp.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return tp.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return cause;
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            return suppressed;
        }

        @Override
        public boolean isCyclic() {
            return tp.isCyclic();
        }
    }
}

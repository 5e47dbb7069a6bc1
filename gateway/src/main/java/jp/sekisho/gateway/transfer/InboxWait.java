package jp.sekisho.gateway.transfer;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.gateway.admission.Reason;

/** The {@code wait} of an inbox listing: seconds ({@code 25}), or with a unit ({@code 25s}, {@code 500ms}). */
final class InboxWait {

    private static final Pattern FORM = Pattern.compile("(\\d{1,6})(ms|s)?");

    private InboxWait() {}

    /**
     * @param value the query parameter, or null (no wait: today's listing)
     * @throws TransferProblem INBOX_WAIT_INVALID when it is malformed or beyond {@link InboxWaits#MAX_WAIT}
     */
    static Duration parse(String value) {
        if (value == null) {
            return Duration.ZERO;
        }
        Matcher m = FORM.matcher(value);
        if (!m.matches()) {
            throw invalid();
        }
        long n = Long.parseLong(m.group(1));
        Duration d = "ms".equals(m.group(2)) ? Duration.ofMillis(n) : Duration.ofSeconds(n);
        if (d.compareTo(InboxWaits.MAX_WAIT) > 0) {
            throw invalid();
        }
        return d;
    }

    private static TransferProblem invalid() {
        // the value itself is not echoed: it is the caller's text
        return new TransferProblem(
                Reason.INBOX_WAIT_INVALID,
                "wait は 0〜" + InboxWaits.MAX_WAIT.toSeconds() + " 秒で指定してください（例 wait=25s） / wait must be a"
                        + " duration from 0 to " + InboxWaits.MAX_WAIT.toSeconds() + " s, e.g. wait=25s or wait=25");
    }
}

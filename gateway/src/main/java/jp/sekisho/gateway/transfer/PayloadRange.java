package jp.sekisho.gateway.transfer;

import io.micronaut.core.annotation.Nullable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.gateway.admission.Reason;

/** The one form of Range a payload download takes, {@code bytes=N-}: resume from byte N. */
final class PayloadRange {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,18})-");

    private PayloadRange() {}

    /** The first byte to send: 0 without a Range header. */
    static long start(@Nullable String header) {
        if (header == null) {
            return 0;
        }
        Matcher m = RANGE.matcher(header.trim());
        if (!m.matches()) {
            throw new TransferProblem(Reason.RANGE_NOT_SATISFIABLE, "only 'Range: bytes=N-' is supported");
        }
        return Long.parseLong(m.group(1));
    }

    /** The Content-Range of an answer from {@code start} to the end of an envelope of {@code length} bytes. */
    static String contentRange(long start, long length) {
        return "bytes " + start + "-" + (length - 1) + "/" + length;
    }
}

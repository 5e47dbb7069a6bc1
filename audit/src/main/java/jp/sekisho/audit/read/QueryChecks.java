package jp.sekisho.audit.read;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Checks search filters before they reach SQL, so a bad one is the caller's mistake (a 400 naming the
 * parameter) and not a database error (which the gateway would have to report as the store being
 * unavailable). Messages name the parameter and what is expected, Japanese first.
 */
final class QueryChecks {

    /** As long as any stored text field can be (see the store's bounds): nothing longer can match. */
    static final int MAX_TEXT_CHARS = 1024;

    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern PREFIX = Pattern.compile("\\d{1,3}");

    private QueryChecks() {}

    static void text(String name, String value) {
        if (value != null && (value.length() > MAX_TEXT_CHARS || value.indexOf('\0') >= 0)) {
            throw new IllegalArgumentException(
                    name + ": " + MAX_TEXT_CHARS + "文字以内でNULを含まない文字列を指定してください / must be at most " + MAX_TEXT_CHARS
                            + " characters without NUL (got " + value.length() + ")");
        }
    }

    /** An IPv4 or IPv6 address, optionally with a prefix length: what PostgreSQL's inet takes, spelled plainly. */
    static void source(String value) {
        if (value == null) {
            return;
        }
        int slash = value.indexOf('/');
        String addr = slash < 0 ? value : value.substring(0, slash);
        int max;
        if (IPV4.matcher(addr).matches()) {
            max = 32;
        } else if (addr.contains(":") && IPV6.matcher(addr).matches() && isLiteral(addr)) {
            max = 128;
        } else {
            throw badSource(value);
        }
        if (slash >= 0) {
            String p = value.substring(slash + 1);
            if (!PREFIX.matcher(p).matches() || Integer.parseInt(p) > max) {
                throw badSource(value);
            }
        }
    }

    private static boolean isLiteral(String addr) {
        try {
            InetAddress.getByName(addr); // holds a ':' so it is parsed as a literal, never looked up
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static IllegalArgumentException badSource(String value) {
        return new IllegalArgumentException("source: IPアドレスまたはCIDRを指定してください / must be an IP address or CIDR block"
                + " (e.g. 192.0.2.7, 10.1.0.0/16, 2001:db8::/32), not '" + clip(value) + "'");
    }

    /** An echoed value, cut so a message stays short. */
    static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}

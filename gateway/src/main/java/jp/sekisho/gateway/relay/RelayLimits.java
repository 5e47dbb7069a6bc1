package jp.sekisho.gateway.relay;

import java.util.List;
import java.util.Set;

/**
 * What a relay route lets through, beyond who may connect.
 *
 * @param methods           HTTP methods allowed (upper case); default GET, HEAD, POST
 * @param pathPrefixes      paths must start with one of these; default "/" (everything)
 * @param maxBodyBytes      largest request body; default 100 MiB
 * @param requestsPerSecond per terminal address; 0 = no limit
 * @param hours             when the route carries requests (Asia/Tokyo); null = always
 * @param websocket         whether WebSocket upgrades are relayed
 */
public record RelayLimits(
        Set<String> methods,
        List<String> pathPrefixes,
        long maxBodyBytes,
        int requestsPerSecond,
        OpeningHours hours,
        boolean websocket) {

    public static final Set<String> DEFAULT_METHODS = Set.of("GET", "HEAD", "POST");
    public static final List<String> DEFAULT_PATHS = List.of("/");
    public static final long DEFAULT_MAX_BODY = 100L << 20;

    public static final RelayLimits DEFAULTS =
            new RelayLimits(DEFAULT_METHODS, DEFAULT_PATHS, DEFAULT_MAX_BODY, 0, null, false);

    public RelayLimits {
        methods = Set.copyOf(methods);
        pathPrefixes = List.copyOf(pathPrefixes);
    }

    public boolean allowsMethod(String method) {
        return methods.contains(method);
    }

    /** Whether {@code path} (decoded form checked by the request guard, no query) is under an allowed prefix. */
    public boolean allowsPath(String path) {
        for (String p : pathPrefixes) {
            if (p.equals("/") || path.equals(p) || path.startsWith(p.endsWith("/") ? p : p + "/")) {
                return true;
            }
        }
        return false;
    }
}

package jp.sekisho.gateway.relay;

import java.net.URI;
import java.util.Objects;

/**
 * The web system a relay route reaches.
 *
 * @param url           {@code https://host:port} (or {@code http://} with {@code closedNetwork}); no path,
 *                      query or user info: the terminal's path is sent as is
 * @param caPem         PEM of the CA(s) the upstream's certificate must chain to (pinned: the JDK's
 *                      trust store is never used); required for https, null for http
 * @param host          the Host header sent upstream; null = the url's host[:port]
 * @param closedNetwork the operator's statement that the upstream sits on a closed network; required
 *                      for an http url
 */
public record Upstream(URI url, String caPem, String host, boolean closedNetwork) {

    public Upstream {
        Objects.requireNonNull(url, "url");
    }

    public boolean tls() {
        return "https".equalsIgnoreCase(url.getScheme());
    }

    public int port() {
        return url.getPort() > 0 ? url.getPort() : tls() ? 443 : 80;
    }

    /** The Host header to send upstream. */
    public String hostHeader() {
        if (host != null && !host.isBlank()) {
            return host;
        }
        boolean defaultPort = url.getPort() < 0 || url.getPort() == (tls() ? 443 : 80);
        return defaultPort ? url.getHost() : url.getHost() + ":" + url.getPort();
    }
}

package jp.sekisho.certs;

import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A client's trust in a gateway: the server's chain must validate against the given anchors (the
 * JDK's PKIX trust manager does that), and its certificate must name the host connected to in a
 * subjectAltName (an iPAddress for an address, a dNSName for a name).
 *
 * <p>Why not the JDK's own endpoint check: for every handshake with endpoint identification, its
 * trust manager first asks whether the chain ends in one of the JDK's public root CAs, and to know
 * that it parses the whole {@code cacerts} file, ~150 certificates, once per process: measured,
 * about 35 ms of every {@code send} and {@code receive} (issue 18). A gateway's certificate chains to
 * the municipality's own CA, never to a public one, so that question has nothing to decide here.
 *
 * <p>The host check is the strict one of RFC 9525: subjectAltNames only, never the subject's CN; a
 * wildcard only as the whole leftmost label of a name with at least three labels, matching exactly
 * one label. Without a host to check against (no peer host on the connection) it refuses.
 */
public final class ServerTrust extends X509ExtendedTrustManager {

    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final X509TrustManager chains;

    /** {@code chains} validates a chain against the anchors, without looking at the host. */
    public ServerTrust(X509TrustManager chains) {
        this.chains = chains;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        chains.checkServerTrusted(chain, authType);
        SSLSession s = engine == null ? null : engine.getHandshakeSession();
        checkHost(chain[0], engine == null ? null : host(engine.getPeerHost(), s));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        chains.checkServerTrusted(chain, authType);
        SSLSession s = socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null;
        checkHost(chain[0], host(null, s));
    }

    /** Without a connection there is no host to check: refused, as a trust decision must not guess. */
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        chains.checkServerTrusted(chain, authType);
        checkHost(chain[0], null);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("this trust manager checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("this trust manager checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager checks servers only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return chains.getAcceptedIssuers();
    }

    private static String host(String peerHost, SSLSession session) {
        String h = peerHost != null ? peerHost : session == null ? null : session.getPeerHost();
        return h == null || h.isEmpty() ? null : h;
    }

    /** Throws unless {@code cert} names {@code host} in a subjectAltName. */
    static void checkHost(X509Certificate cert, String host) throws CertificateException {
        if (host == null) {
            throw new CertificateException("no host name or address to check the server's certificate against");
        }
        Collection<List<?>> sans = subjectAltNames(cert);
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (isAddress(bare)) {
            InetAddress wanted = address(bare);
            if (wanted == null) {
                throw new CertificateException("not an IP address: " + bare);
            }
            for (List<?> san : sans) {
                if (((Integer) san.get(0)) == SAN_IP && wanted.equals(address((String) san.get(1)))) {
                    return;
                }
            }
            throw new CertificateException("the server's certificate names no IP address " + bare
                    + " in its subjectAltName (it names " + names(sans) + ")");
        }
        String name = dnsForm(bare);
        for (List<?> san : sans) {
            if (((Integer) san.get(0)) == SAN_DNS && dnsMatches(dnsForm((String) san.get(1)), name)) {
                return;
            }
        }
        throw new CertificateException("the server's certificate names no DNS name " + bare
                + " in its subjectAltName (it names " + names(sans) + ")");
    }

    /** A dNSName against a host name, both lower case without a trailing dot. */
    static boolean dnsMatches(String pattern, String name) {
        if (pattern.isEmpty() || name.isEmpty()) {
            return false;
        }
        if (!pattern.startsWith("*.")) {
            return pattern.equals(name);
        }
        String rest = pattern.substring(1); // ".example.jp"
        if (rest.indexOf('*') >= 0 || rest.chars().filter(c -> c == '.').count() < 2) {
            return false; // "*.jp", "*.*.example.jp": never
        }
        int dot = name.indexOf('.');
        return dot > 0 && name.substring(dot).equals(rest);
    }

    private static String dnsForm(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static boolean isAddress(String s) {
        return s.indexOf(':') >= 0 || IPV4.matcher(s).matches();
    }

    /**
     * A literal address, or null; never a name lookup. IPv4 is parsed here, since {@code getByName}
     * resolves an out-of-range dotted quad as a host name; a string with a colon is only ever taken
     * as an IPv6 literal by it.
     */
    static InetAddress address(String literal) {
        try {
            if (literal.indexOf(':') >= 0) {
                return InetAddress.getByName(
                        literal.indexOf('%') >= 0 ? literal.substring(0, literal.indexOf('%')) : literal);
            }
            if (!IPV4.matcher(literal).matches()) {
                return null;
            }
            String[] parts = literal.split("\\.");
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(parts[i]);
                if (v > 255) {
                    return null;
                }
                b[i] = (byte) v;
            }
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static Collection<List<?>> subjectAltNames(X509Certificate cert) throws CertificateException {
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            return sans == null ? List.of() : sans;
        } catch (CertificateParsingException e) {
            throw new CertificateException("the server's certificate has an unreadable subjectAltName", e);
        }
    }

    private static String names(Collection<List<?>> sans) {
        List<String> out = new ArrayList<>();
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            if (type == SAN_DNS || type == SAN_IP) {
                out.add(String.valueOf(san.get(1)));
            }
        }
        return out.isEmpty() ? "no DNS name or IP address" : String.join(", ", out);
    }
}

package jp.sekisho.client.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.cli.JapaneseDates;

/**
 * Says what a failed connection to the gateway was, from what the TLS stack reports and, when that
 * is ambiguous, from a second look ({@link TlsProbe}):
 * <ul>
 *   <li>a TLS alert received from the gateway ("Received fatal alert: NAME", the JDK's only form of
 *       it) is the gateway refusing this certificate: exit 1 with the reason the alert stands for;</li>
 *   <li>this client refusing the gateway's certificate (not from the --gateway-ca): exit 2, a
 *       configuration to fix;</li>
 *   <li>no connection (refused, no route, unknown host, timeout): exit 3, unavailable;</li>
 *   <li>a connection closed or reset with no alert: if the gateway closes a fresh connection before
 *       any ServerHello, its edge refuses this source address (IP_NOT_ALLOWED, exit 1); if it does
 *       answer TLS, the connection was lost (exit 3).</li>
 * </ul>
 * Every message: the reason code first, then Japanese, then English, then what to do next.
 */
final class ConnectionFailure {

    private static final Pattern ALERT = Pattern.compile("Received fatal alert: ([a-z_]+)");

    private final URI base;
    private final X509Certificate leaf;
    private final TlsProbe probe;

    ConnectionFailure(URI base, X509Certificate leaf, TlsProbe probe) {
        this.base = base;
        this.leaf = leaf;
        this.probe = probe;
    }

    CliException of(IOException e) {
        boolean handshakeCut = HandshakeDeadline.cutOnThisThread(); // asked first: asking forgets it
        Optional<String> alert = alert(e);
        if (alert.isPresent()) {
            return refusal(alert.get());
        }
        if (rejectedServer(e)) {
            return new CliException(
                    ExitCode.USAGE,
                    "SERVER_NOT_TRUSTED: " + base + " のサーバ証明書を信頼できません（--gateway-ca の CA から発行されていない、"
                            + "または名前が一致しない）。 this client refused the gateway's server certificate (not issued by"
                            + " the --gateway-ca CA, or not for this host name: " + rootMessage(e)
                            + "). 次に: --gateway と --gateway-ca が正しいゲートウェイと CA を指すか確認してください。 next: check"
                            + " that --gateway and --gateway-ca name the right gateway and its CA.");
        }
        if (has(e, UnknownHostException.class)) {
            return unavailable(
                    "名前を解決できません", "cannot resolve the host name of " + base, "check the --gateway URL and DNS");
        }
        if (has(e, NoRouteToHostException.class)) {
            return unavailable("経路がありません", "no route to " + base, "check the network and --bind");
        }
        if (handshakeCut || has(e, HttpConnectTimeoutException.class)) {
            // the TLS handshake counts into the connect timeout (UrlExchange, HandshakeDeadline), as the
            // JDK's HttpClient did:
            // tell a stalled handshake (an overloaded gateway, load balancer or client
            // machine) from a connection nobody answers, which are different problems to hand to someone.
            return probe.tcpConnects()
                    ? unavailable(
                            "TLS ハンドシェイクが時間内に終わりません",
                            "connected to " + base
                                    + ", but the TLS handshake did not finish within the connect timeout",
                            "the gateway, a load balancer in front of it or this machine is overloaded; try again later")
                    : unavailable(
                            "接続が時間内に確立しません",
                            "no answer from " + base + " within the connect timeout",
                            "check that the gateway's host is up and that no firewall drops the connection");
        }
        if (has(e, ConnectException.class)) {
            return unavailable("接続できません", "cannot connect to " + base, "is the gateway running and listening there?");
        }
        if (has(e, SocketTimeoutException.class)) {
            return unavailable("時間内に応答がありません", base + " did not answer in time", "try again later");
        }
        TlsProbe.Sight sight = probe.look();
        if (sight instanceof TlsProbe.ClosedBeforeTls) {
            return new CliException(
                    ExitCode.REFUSED,
                    "IP_NOT_ALLOWED: ゲートウェイは TLS の前に接続を閉じました（ServerHello なし）: この送信元アドレスはそのリスナーで"
                            + "許可されていません（または接続頻度の上限）。 the gateway closed the connection before TLS (no"
                            + " ServerHello): this address is not allowed on that listener (or it connects too often). 次に:"
                            + " 送信元アドレスを経路に登録するよう事務局に依頼するか、--bind で登録済みのアドレスを使ってください。 next: ask"
                            + " the secretariat to add this address to the route, or send from an allowed one with --bind"
                            + " (the gateway's audit log names it: sekisho audit search --type CONNECTION_REFUSED).");
        }
        if (sight instanceof TlsProbe.Alert a) {
            return refusal(a.name());
        }
        if (sight instanceof TlsProbe.Answered) {
            return unavailable(
                    "接続が切れました", "the connection to " + base + " was lost (" + rootMessage(e) + ")", "try again");
        }
        return unavailable("接続できません", "cannot connect to " + base, "is the gateway running and listening there?");
    }

    /** A refusal the gateway said with a TLS alert: the alert's meaning, exit 1. */
    private CliException refusal(String alert) {
        String seen = " (TLS alert " + alert + ")";
        return switch (alert) {
            case "certificate_revoked" ->
                refused(
                        "REVOKED",
                        "クライアント証明書は失効しています",
                        "the gateway refused your client certificate as revoked" + seen,
                        "発行元（事務局）に新しい証明書を依頼してください",
                        "ask the issuing CA (the secretariat) for a new certificate");
            case "certificate_expired" ->
                ownCertificateExpired()
                        ? refused(
                                "EXPIRED",
                                "クライアント証明書の有効期間外です（" + validity() + "）",
                                "your client certificate is outside its validity period (" + validity() + ")" + seen,
                                "新しい証明書を依頼してください",
                                "ask the issuing CA for a new certificate")
                        : refused(
                                "CRL_EXPIRED",
                                "ゲートウェイの CRL（失効リスト）が期限切れのため拒否されました（あなたの証明書は " + validity() + " で有効）",
                                "your certificate is valid (" + validity()
                                        + "), so what expired is on the gateway's side: its"
                                        + " CRL is past its nextUpdate and it refuses every client" + seen,
                                "ゲートウェイの運用者に CRL の再発行を依頼してください（sekisho certs crl）",
                                "ask the gateway's operators to reissue the CRL (sekisho certs crl)");
            case "unknown_ca" ->
                refused(
                        "UNKNOWN_CA",
                        "クライアント証明書の発行者をゲートウェイが信頼していません",
                        "the gateway does not trust the CA that issued your client certificate" + seen,
                        "ゲートウェイの CA から発行された --identity を使ってください",
                        "use an --identity issued by the gateway's CA");
            case "unsupported_certificate" ->
                refused(
                        "WRONG_USAGE",
                        "クライアント証明書に clientAuth の用途がありません",
                        "your certificate is not a client certificate (no clientAuth extended key usage)" + seen,
                        "クライアント用の証明書を使ってください",
                        "use a client certificate (sekisho certs issue --kind client)");
            case "bad_certificate", "certificate_required" ->
                refused(
                        "NO_CERTIFICATE",
                        "ゲートウェイは有効なクライアント証明書を受け取れませんでした",
                        "the gateway did not receive a usable client certificate" + seen,
                        "--identity の証明書と鍵を確認してください",
                        "check the certificate and key of --identity");
            case "certificate_unknown" ->
                ownCertificateExpired()
                        ? refusal("certificate_expired")
                        : refused(
                                "CERTIFICATE_REFUSED",
                                "ゲートウェイはクライアント証明書を拒否しました（理由は TLS では伝えられません）",
                                "the gateway refused your client certificate; its TLS stack does not say why" + seen
                                        + " (revoked, from another CA, or its CRL out of date)",
                                "ゲートウェイの監査ログで理由を確認してください",
                                "its audit log names the reason: sekisho audit search --type TLS_FAILED");
            default ->
                refused(
                        "HANDSHAKE_FAILED",
                        "TLS の条件（バージョン、暗号スイート）がゲートウェイと合いません",
                        "the gateway ended the TLS handshake: no common TLS version or cipher suite" + seen,
                        "TLS 1.2 以上と AES-GCM を使える Java で実行してください",
                        "run with a Java that offers TLS 1.2 or 1.3 and AES-GCM");
        };
    }

    private static CliException refused(String code, String ja, String en, String nextJa, String nextEn) {
        return new CliException(
                ExitCode.REFUSED, code + ": " + ja + "。 " + en + ". 次に: " + nextJa + "。 next: " + nextEn + ".");
    }

    private static CliException unavailable(String ja, String en, String next) {
        String end = next.endsWith("?") ? "" : "."; // "…listening there?" ends its own sentence
        return new CliException(ExitCode.UNAVAILABLE, "UNAVAILABLE: " + ja + "。 " + en + ". next: " + next + end);
    }

    private boolean ownCertificateExpired() {
        Instant now = Instant.now();
        return now.isBefore(leaf.getNotBefore().toInstant())
                || now.isAfter(leaf.getNotAfter().toInstant());
    }

    private String validity() {
        return JapaneseDates.time(leaf.getNotBefore().toInstant()) + "–"
                + JapaneseDates.timeJst(leaf.getNotAfter().toInstant());
    }

    /** The alert the gateway sent, if it sent one: the JDK says so only in the message of an SSLException. */
    static Optional<String> alert(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                Matcher m = ALERT.matcher(String.valueOf(t.getMessage()));
                if (m.find()) {
                    return Optional.of(m.group(1).toLowerCase(Locale.ROOT));
                }
            }
        }
        return Optional.empty();
    }

    /** This side's trust manager refused the server: a certificate problem under an SSLException, no alert received. */
    private static boolean rejectedServer(Throwable e) {
        boolean ssl = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            ssl |= t instanceof SSLException;
            if (ssl
                    && (t instanceof CertificateException
                            || t instanceof java.security.cert.CertPathBuilderException
                            || t instanceof java.security.cert.CertPathValidatorException)) {
                return true;
            }
        }
        return false;
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}

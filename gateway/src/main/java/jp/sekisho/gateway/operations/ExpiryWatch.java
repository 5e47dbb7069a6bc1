package jp.sekisho.gateway.operations;

import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import jp.sekisho.certs.Pem;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.cli.Printable;
import jp.sekisho.gateway.tls.CrlStore;
import jp.sekisho.gateway.tls.TlsInventory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says ahead of time what is about to stop the gateway: from 7 days before a CRL's nextUpdate (after
 * which every client of its issuer is refused) or a server or CA certificate's end, a WARN once a day;
 * once past, an ERROR once a day. Checked at start-up and every hour, from what the handshakes use
 * ({@link TlsInventory}, the CRLs re-read as they change). Also exposes the time left as gauges:
 * <ul>
 *   <li>{@value #CRL_GAUGE}: the CRL due first (0 while one is unreadable; negative once past);</li>
 *   <li>{@value #SERVER_GAUGE}: the server certificate;</li>
 *   <li>{@value #CA_GAUGE}: the trust anchor or chain certificate that ends first.</li>
 * </ul>
 */
public final class ExpiryWatch implements AutoCloseable {

    public static final String CRL_GAUGE = "sekisho_crl_seconds_until_next_update";
    public static final String SERVER_GAUGE = "sekisho_certificate_seconds_until_expiry_server";
    public static final String CA_GAUGE = "sekisho_certificate_seconds_until_expiry_ca";

    /** A week: enough to notice on a Monday that the renewal timer stopped on a Friday. */
    static final Duration WARN_BEFORE = Duration.ofDays(7);

    private static final Logger LOG = LoggerFactory.getLogger(ExpiryWatch.class);
    private static final String CA_DIR = "<CAフォルダ / CA folder>";

    /** Where gauges go: {@code jp.sekisho.gateway.http.Metrics#gauge}. */
    @FunctionalInterface
    public interface Gauges {
        void gauge(String name, String help, LongSupplier value);
    }

    private final TlsInventory tls;
    private final Path serverFile;
    private final Map<X509Certificate, Path> anchorFiles;
    private final Clock clock;
    private final Consumer<ExpiryNotice> log;
    /** (key, level) to the Tokyo date it was last logged. */
    private final Map<String, LocalDate> logged = new HashMap<>();

    private ScheduledExecutorService timer;

    /**
     * @param serverFile  {@code tls.certificate}, named in the log lines
     * @param anchorFiles {@code tls.trust-anchors}, read again only to name each anchor's file
     * @param log         where notices go ({@link #toLog} in the gateway)
     */
    public ExpiryWatch(
            TlsInventory tls, Path serverFile, List<Path> anchorFiles, Clock clock, Consumer<ExpiryNotice> log) {
        this.tls = tls;
        this.serverFile = serverFile;
        this.anchorFiles = new HashMap<>();
        for (Path p : anchorFiles) {
            try {
                Pem.readCertificates(p).forEach(c -> this.anchorFiles.putIfAbsent(c, p));
            } catch (RuntimeException e) {
                // the gateway read these files at start; a name missing from a log line is all that is lost
            }
        }
        this.clock = clock;
        this.log = log;
    }

    /** Writes a notice to the gateway's log: WARN ahead, ERROR once past. */
    public static void toLog(ExpiryNotice n) {
        if (n.error()) {
            LOG.error(n.text());
        } else {
            LOG.warn(n.text());
        }
    }

    /** Registers the three gauges ({@value #CRL_GAUGE} only when CRLs are configured). */
    public void register(Gauges gauges) {
        if (!tls.crls().files().isEmpty()) {
            gauges.gauge(CRL_GAUGE, "seconds until the first CRL's nextUpdate (0 if unreadable)", this::crlSeconds);
        }
        gauges.gauge(SERVER_GAUGE, "seconds until the server certificate expires", this::serverSeconds);
        gauges.gauge(
                CA_GAUGE, "seconds until the first CA (trust anchor or chain) certificate expires", this::caSeconds);
    }

    /** Checks now and every hour on a daemon thread until {@link #close}. */
    public synchronized ExpiryWatch start() {
        check();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sekisho-expiry-watch");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(
                () -> {
                    try {
                        check();
                    } catch (RuntimeException e) {
                        LOG.error("期限の確認に失敗しました / expiry check failed: {}", String.valueOf(e));
                    }
                },
                1,
                1,
                TimeUnit.HOURS);
        return this;
    }

    /** Logs what is due and was not yet logged today (Tokyo) at that level; returns what it logged. */
    public synchronized List<ExpiryNotice> check() {
        LocalDate today = JapaneseDates.today(clock);
        List<ExpiryNotice> out = new ArrayList<>();
        for (ExpiryNotice n : due()) {
            String k = n.key() + (n.error() ? "#error" : "#warn");
            if (!today.equals(logged.get(k))) {
                logged.put(k, today);
                log.accept(n);
                out.add(n);
            }
        }
        return out;
    }

    /** Everything within a week of its end, or past it, now. */
    public List<ExpiryNotice> due() {
        Instant now = clock.instant();
        List<ExpiryNotice> out = new ArrayList<>();
        for (CrlStore.CrlFile f : tls.crls().files()) {
            crlNotice(f, now, out);
        }
        List<X509Certificate> chain = tls.serverChain();
        for (int i = 0; i < chain.size(); i++) {
            certificateNotice(i == 0 ? Role.SERVER : Role.CA, chain.get(i), serverFile, now, out);
        }
        for (X509Certificate a : tls.trustAnchors()) {
            certificateNotice(Role.CA, a, anchorFiles.get(a), now, out);
        }
        return out;
    }

    private enum Role {
        SERVER,
        CA
    }

    private static void crlNotice(CrlStore.CrlFile f, Instant now, List<ExpiryNotice> out) {
        String file = Printable.of(f.path().toString());
        X509CRL crl = f.crl();
        String renew = "更新 / renew: sekisho certs crl --dir " + CA_DIR + " (ゲートウェイは自動で読み直します / the gateway "
                + "reloads it by itself)";
        if (crl == null) {
            out.add(new ExpiryNotice(
                    "crl " + file,
                    true,
                    "CRLを読めません (" + f.refusal() + ")。このCAの全クライアントを拒否しています: " + file
                            + " / CRL unreadable or not signed by a trust anchor (" + f.refusal()
                            + "): every client of its CA is refused. " + renew));
            return;
        }
        String issuer = Printable.of(crl.getIssuerX500Principal().getName());
        if (crl.getNextUpdate() == null) {
            out.add(new ExpiryNotice(
                    "crl " + file,
                    true,
                    "CRLに次回更新日時がなく、期限切れとして扱っています: " + file + " (発行者 " + issuer
                            + ") / CRL has no nextUpdate and counts as expired (CRL_EXPIRED): " + file + " (issuer "
                            + issuer + "). " + renew));
            return;
        }
        Instant end = crl.getNextUpdate().toInstant();
        if (end.isBefore(now)) {
            out.add(new ExpiryNotice(
                    "crl " + file,
                    true,
                    "CRLの期限が切れています。このCAの全クライアントを拒否しています (CRL_EXPIRED): " + file + " (発行者 " + issuer
                            + ") 次回更新 " + when(end) + " / CRL expired at " + JapaneseDates.timeJst(end)
                            + ": every client of its CA is refused (CRL_EXPIRED): " + file + " (issuer " + issuer
                            + "). " + renew));
        } else if (!now.plus(WARN_BEFORE).isBefore(end)) {
            out.add(new ExpiryNotice(
                    "crl " + file,
                    false,
                    "CRLの次回更新が近づいています (" + left(now, end) + "): " + file + " (発行者 " + issuer + ") 次回更新 "
                            + when(end) + "。過ぎるとこのCAの全クライアントを拒否します / CRL due for renewal at "
                            + JapaneseDates.timeJst(end) + " (" + leftEnglish(now, end) + "): " + file + " (issuer "
                            + issuer + "); after that every client of its CA is refused. " + renew));
        }
    }

    private static void certificateNotice(
            Role role, X509Certificate c, Path file, Instant now, List<ExpiryNotice> out) {
        Instant end = c.getNotAfter().toInstant();
        boolean past = end.isBefore(now);
        if (!past && now.plus(WARN_BEFORE).isBefore(end)) {
            return;
        }
        String where = Printable.of(file == null ? "-" : file.toString());
        String subject = Printable.of(c.getSubjectX500Principal().getName());
        String serial = c.getSerialNumber().toString(16);
        String renew;
        String what;
        String consequence;
        if (role == Role.SERVER) {
            what = past
                    ? "サーバー証明書の期限が切れています / server certificate expired"
                    : "サーバー証明書の期限が近づいています / server " + "certificate expires soon";
            consequence = "クライアントはゲートウェイに接続できません / clients cannot connect to the gateway";
            renew = "更新 / renew: sekisho certs issue --dir " + CA_DIR + " --kind server --name NAME --dns ... --force "
                    + "(または certs request と certs sign / or certs request and certs sign), then restart the gateway";
        } else {
            what = past
                    ? "CA証明書の期限が切れています / CA certificate expired"
                    : "CA証明書の期限が近づいています / CA certificate " + "expires soon";
            consequence = "このCAの証明書はすべて拒否されます (UNKNOWN_CA) / every certificate of this CA is refused (UNKNOWN_CA)";
            renew = "更新 / renew: sekisho certs init --dir NEW_CA_DIR, add its ca.pem to tls.trust-anchors, reissue the "
                    + "certificates from it";
        }
        out.add(new ExpiryNotice(
                role.name().toLowerCase(java.util.Locale.ROOT) + " " + where + " " + serial,
                past,
                what + ": " + where + " (" + subject + ", serial " + serial + ") 期限 / not after " + when(end)
                        + (past ? "" : " (" + left(now, end) + " / " + leftEnglish(now, end) + ")") + "; " + consequence
                        + ". " + renew));
    }

    /** 2026-12-11 09:00:00 JST (令和8年12月11日). */
    private static String when(Instant t) {
        return JapaneseDates.timeJst(t) + " (" + JapaneseDates.era(LocalDate.ofInstant(t, JapaneseDates.TOKYO)) + ")";
    }

    private static String left(Instant now, Instant end) {
        Duration d = Duration.between(now, end);
        return d.toDays() >= 1 ? "あと" + d.toDays() + "日" : "あと" + d.toHours() + "時間";
    }

    private static String leftEnglish(Instant now, Instant end) {
        Duration d = Duration.between(now, end);
        return d.toDays() >= 1 ? "in " + d.toDays() + " days" : "in " + d.toHours() + " hours";
    }

    long crlSeconds() {
        Instant now = clock.instant();
        long min = Long.MAX_VALUE;
        for (CrlStore.CrlFile f : tls.crls().files()) {
            X509CRL crl = f.crl();
            long s = crl == null || crl.getNextUpdate() == null
                    ? 0
                    : Duration.between(now, crl.getNextUpdate().toInstant()).getSeconds();
            min = Math.min(min, s);
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    long serverSeconds() {
        List<X509Certificate> chain = tls.serverChain();
        return chain.isEmpty() ? 0 : secondsLeft(chain.get(0));
    }

    long caSeconds() {
        long min = Long.MAX_VALUE;
        List<X509Certificate> chain = tls.serverChain();
        for (int i = 1; i < chain.size(); i++) {
            min = Math.min(min, secondsLeft(chain.get(i)));
        }
        for (X509Certificate a : tls.trustAnchors()) {
            min = Math.min(min, secondsLeft(a));
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    private long secondsLeft(X509Certificate c) {
        return Duration.between(clock.instant(), c.getNotAfter().toInstant()).getSeconds();
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}

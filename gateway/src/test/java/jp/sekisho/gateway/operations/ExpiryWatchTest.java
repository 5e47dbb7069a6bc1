package jp.sekisho.gateway.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.gateway.tls.CrlStore;
import jp.sekisho.gateway.tls.TlsInventory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 item 2: the gateway says ahead of time what is about to stop it. Real certificates and
 * CRLs from TestPki, read by the CrlStore the handshakes use; a clock the test moves.
 */
class ExpiryWatchTest {

    @TempDir
    Path dir;

    /** A clock the test moves forward. */
    static final class MovingClock extends Clock {
        Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void plus(Duration d) {
            now = now.plus(d);
        }
    }

    record World(
            TestPki pki,
            MovingClock clock,
            ExpiryWatch watch,
            List<ExpiryNotice> logged,
            Map<String, LongSupplier> gauges) {}

    private World world(Path gatewayCert, Duration crlValidity) {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        pki.authority().setCrlValidity(crlValidity);
        pki.authority().resignCrl();
        MovingClock clock = new MovingClock(Instant.now());
        CrlStore crls = new CrlStore(List.of(pki.crlFile()), List.of(pki.caCertificate()), clock);
        Path cert = gatewayCert == null ? pki.gatewayFile("pem") : gatewayCert;
        TlsInventory tls = new TlsInventory(Pem.readCertificates(cert), List.of(pki.caCertificate()), crls);
        List<ExpiryNotice> logged = new ArrayList<>();
        ExpiryWatch watch = new ExpiryWatch(tls, cert, List.of(pki.caFile()), clock, logged::add);
        Map<String, LongSupplier> gauges = new TreeMap<>();
        watch.register((name, help, value) -> gauges.put(name, value));
        return new World(pki, clock, watch, logged, gauges);
    }

    @Test
    void aCrlDueInThreeDaysWarnsOnceADayThenErrsOncePast() {
        World w = world(null, Duration.ofDays(3));
        X509CRL crl = Pem.readCrl(w.pki().crlFile());
        Instant next = crl.getNextUpdate().toInstant();

        List<ExpiryNotice> first = w.watch().check();
        assertEquals(1, first.size(), first.toString());
        ExpiryNotice n = first.get(0);
        assertFalse(n.error());
        assertTrue(n.text().contains(w.pki().crlFile().toString()), n.text());
        assertTrue(n.text().contains("CN=Sekisho CA,O=Sekisho"), n.text());
        assertTrue(n.text().contains(JapaneseDates.timeJst(next)), "the date in JST: " + n.text());
        assertTrue(n.text().contains("令和"), n.text());
        assertTrue(n.text().contains("CRLの次回更新が近づいています") && n.text().contains("CRL due for renewal"), n.text());
        assertTrue(n.text().contains("sekisho certs crl --dir"), "the command to renew: " + n.text());
        assertEquals(first, w.logged());

        long seconds = w.gauges().get(ExpiryWatch.CRL_GAUGE).getAsLong();
        assertTrue(
                Math.abs(seconds - Duration.between(w.clock().instant(), next).getSeconds()) <= 1, "" + seconds);
        assertTrue(seconds > Duration.ofDays(3).minusMinutes(5).getSeconds(), "" + seconds);

        assertEquals(List.of(), w.watch().check(), "once a day");
        // later the same Tokyo day, whatever the hour the test runs at (a fixed 6 h crossed midnight JST
        // when run after 18:00 JST): half of what is left until midnight
        java.time.ZonedDateTime tokyo = w.clock().instant().atZone(java.time.ZoneId.of("Asia/Tokyo"));
        w.clock()
                .plus(Duration.between(tokyo, tokyo.toLocalDate().plusDays(1).atStartOfDay(tokyo.getZone()))
                        .dividedBy(2));
        assertEquals(List.of(), w.watch().check(), "the same day in Tokyo");
        w.clock().plus(Duration.ofDays(1));
        List<ExpiryNotice> nextDay = w.watch().check();
        assertEquals(1, nextDay.size());
        assertFalse(nextDay.get(0).error());

        w.clock().plus(Duration.ofDays(2));
        List<ExpiryNotice> past = w.watch().check();
        assertEquals(1, past.size(), past.toString());
        assertTrue(past.get(0).error());
        assertTrue(
                past.get(0).text().contains("CRL_EXPIRED") && past.get(0).text().contains("every client"),
                past.toString());
        assertTrue(w.gauges().get(ExpiryWatch.CRL_GAUGE).getAsLong() < 0, "negative once past");
        assertEquals(List.of(), w.watch().check(), "the ERROR too, once a day");
        assertEquals(3, w.logged().size());

        // renewed: nothing to say, and the gauge follows the new file at once
        w.pki().authority().setCrlValidity(Duration.ofDays(30));
        w.pki().authority().resignCrl();
        w.clock().now = Instant.now();
        w.clock().plus(Duration.ofDays(1));
        assertEquals(List.of(), w.watch().check());
        assertTrue(w.gauges().get(ExpiryWatch.CRL_GAUGE).getAsLong()
                > Duration.ofDays(28).getSeconds());
    }

    @Test
    void aCurrentSetUpSaysNothingAndTheGaugesTellTheTimeLeft() {
        World w = world(null, Duration.ofDays(30));
        assertEquals(List.of(), w.watch().check());
        assertEquals(
                List.of(ExpiryWatch.CA_GAUGE, ExpiryWatch.SERVER_GAUGE, ExpiryWatch.CRL_GAUGE),
                List.copyOf(w.gauges().keySet()));
        long server = w.gauges().get(ExpiryWatch.SERVER_GAUGE).getAsLong();
        long expected = Duration.between(
                        w.clock().instant(),
                        Pem.readCertificate(w.pki().gatewayFile("pem"))
                                .getNotAfter()
                                .toInstant())
                .getSeconds();
        assertTrue(Math.abs(server - expected) <= 1, server + " vs " + expected);
        long ca = w.gauges().get(ExpiryWatch.CA_GAUGE).getAsLong();
        assertTrue(ca > Duration.ofDays(3000).getSeconds(), "the CA lasts ten years: " + ca);
    }

    @Test
    void aServerCertificateWithinAWeekWarnsAndOncePastErrs() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki-short"));
        Credential shortLived = pki.authority()
                .issue(IssueRequest.of("gw-short", CertKind.SERVER)
                        .withSans(List.of("localhost"), List.of())
                        .withDays(5));
        MovingClock clock = new MovingClock(Instant.now());
        CrlStore crls = new CrlStore(List.of(pki.crlFile()), List.of(pki.caCertificate()), clock);
        TlsInventory tls = new TlsInventory(List.of(shortLived.certificate()), List.of(pki.caCertificate()), crls);
        List<ExpiryNotice> logged = new ArrayList<>();
        ExpiryWatch watch =
                new ExpiryWatch(tls, shortLived.certificateFile(), List.of(pki.caFile()), clock, logged::add);
        List<ExpiryNotice> now = watch.check();
        assertEquals(1, now.size(), now.toString());
        assertFalse(now.get(0).error());
        assertTrue(
                now.get(0).text().contains("CN=gw-short,O=Sekisho")
                        && now.get(0)
                                .text()
                                .contains(shortLived.certificateFile().toString())
                        && now.get(0).text().contains("サーバー証明書の期限が近づいています")
                        && now.get(0).text().contains("--kind server"),
                now.get(0).text());
        clock.plus(Duration.ofDays(6));
        List<ExpiryNotice> past = watch.check();
        assertEquals(1, past.size(), past.toString());
        assertTrue(past.get(0).error() && past.get(0).text().contains("server certificate expired"), past.toString());
        // the CRL (30 days) and the CA (ten years) stay quiet throughout
        assertEquals(2, logged.size());
    }

    @Test
    void anUnreadableCrlIsAnErrorAtOnceAndItsGaugeIsZero() throws Exception {
        World w = world(null, Duration.ofDays(30));
        Files.writeString(w.pki().crlFile(), "-----BEGIN X509 CRL-----\nbroken\n-----END X509 CRL-----\n");
        List<ExpiryNotice> n = w.watch().check();
        assertEquals(1, n.size(), n.toString());
        assertTrue(n.get(0).error() && n.get(0).text().contains("CRL_UNAVAILABLE"), n.toString());
        assertEquals(0, w.gauges().get(ExpiryWatch.CRL_GAUGE).getAsLong());
    }
}

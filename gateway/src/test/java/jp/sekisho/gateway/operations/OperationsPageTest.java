package jp.sekisho.gateway.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jp.sekisho.audit.EventType;
import jp.sekisho.certs.Pem;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.route.Sizes;
import jp.sekisho.gateway.transfer.Tls;
import jp.sekisho.gateway.transfer.TransferWorld;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's page on a real gateway over mutual TLS: the listeners with their bound ports and
 * the addresses they admit, the expiry of the real server certificate, trust anchor and CRL (a CRL
 * re-signed to end in three days is highlighted, read live as handshakes read it), the spool's gauges
 * and the audit writer; only operators see it.
 */
class OperationsPageTest {

    @TempDir
    static Path dir;

    static TransferWorld w;
    static final Map<String, HttpClient> clients = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir, TransferWorld.LISTENERS, TransferWorld.PRINCIPALS, List.of());
        w.approve("R-1", 10);
        w.routes("routes:\n" + TransferWorld.route("benefit", "R-1", null));
        for (String who : List.of("operator", "secretariat", "auditor")) {
            clients.put(
                    who,
                    HttpClient.newBuilder()
                            .sslContext(Tls.client(w.pki.dir().resolve(who + ".p12"), w.pki.caFile()))
                            .build());
        }
        // the CA's next CRL ends in three days: within the week the page warns about
        w.pki.authority().setCrlValidity(Duration.ofDays(3));
        w.pki.authority().resignCrl();
    }

    @AfterAll
    static void stop() throws Exception {
        if (w != null) {
            w.close();
        }
    }

    static HttpResponse<String> page(String who, String path) throws Exception {
        return clients.get(who)
                .send(
                        HttpRequest.newBuilder(URI.create(w.gw.url("admin", path)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    static String element(String html, String id) {
        int at = html.indexOf("id=\"" + id + "\"");
        assertTrue(at >= 0, "no #" + id + " in\n" + html);
        int start = html.lastIndexOf('<', at);
        String tag = html.substring(start + 1, html.indexOf(' ', start));
        return html.substring(start, html.indexOf("</" + tag + ">", at));
    }

    static String row(String html, String attribute, String value) {
        int at = html.indexOf(attribute + "=\"" + value + "\"");
        assertTrue(at >= 0, "no row " + attribute + "=" + value + " in\n" + html);
        return html.substring(html.lastIndexOf("<tr", at), html.indexOf("</tr>", at));
    }

    /** Whole days left as the page counts them, allowing for a day boundary passed between page and test. */
    static boolean daysLeft(String row, Instant end) {
        long d = Math.floorDiv(Duration.between(Instant.now(), end).getSeconds(), 86_400L);
        return row.replaceAll("\\s+", "").contains("days-left\">" + d + "<")
                || row.replaceAll("\\s+", "").contains("days-left\">" + (d + 1) + "<");
    }

    @Test
    void listenersShowTheirBoundPortsAndTheAddressesTheyAdmit() throws Exception {
        HttpResponse<String> r = page("operator", "/console/operations");
        assertEquals(200, r.statusCode(), r.body());
        String listeners = element(r.body(), "listeners");
        String transfer = row(listeners, "data-listener", "transfer");
        assertTrue(transfer.contains(">" + w.gw.gateway.port("transfer") + "<"), transfer);
        assertTrue(transfer.contains("転送用") && transfer.contains("127.0.0.1"), transfer);
        assertTrue(transfer.contains("10.255.255.254/32"), "its own CIDR: " + transfer);
        assertTrue(transfer.contains("127.0.0.1/32"), "the route's CIDR, live: " + transfer);
        String admin = row(listeners, "data-listener", "admin");
        assertTrue(admin.contains(">" + w.gw.gateway.port("admin") + "<") && admin.contains("管理用"), admin);
    }

    @Test
    void certificatesShowTheRealExpiryInJapanTimeAndEra() throws Exception {
        String certs = element(page("operator", "/console/operations").body(), "certificates");
        X509Certificate server = Pem.readCertificate(w.pki.gatewayFile("pem"));
        String s =
                row(certs, "data-serial", server.getSerialNumber().toString(16).toLowerCase(Locale.ROOT));
        Instant notAfter = server.getNotAfter().toInstant();
        assertTrue(s.contains("data-kind=\"server\"") && s.contains("サーバー証明書"), s);
        assertTrue(s.contains(JapaneseDates.time(notAfter)), "notAfter in JST: " + s);
        assertTrue(
                s.contains(JapaneseDates.eraAndWestern(LocalDate.ofInstant(notAfter, JapaneseDates.TOKYO))),
                "and as the council writes a date: " + s);
        assertTrue(s.contains("令和"), s);
        assertTrue(daysLeft(s, notAfter), s);
        assertTrue(s.contains("class=\"ok\""), "a year left is not a warning: " + s);

        X509Certificate ca = w.pki.caCertificate();
        String anchor =
                row(certs, "data-serial", ca.getSerialNumber().toString(16).toLowerCase(Locale.ROOT));
        assertTrue(
                anchor.contains("data-kind=\"anchor\"")
                        && anchor.contains(JapaneseDates.time(ca.getNotAfter().toInstant())),
                anchor);
    }

    @Test
    void aCrlDueWithinTheWeekIsHighlightedAndTheFailClosedRuleIsSaid() throws Exception {
        String html = page("operator", "/console/operations").body();
        String crls = element(html, "crls");
        X509CRL crl = Pem.readCrl(w.pki.crlFile());
        Instant next = crl.getNextUpdate().toInstant();
        assertTrue(next.isBefore(Instant.now().plus(Duration.ofDays(4))), "the re-signed CRL is the one on disk");
        String r = row(crls, "data-file", w.pki.crlFile().toString());
        assertTrue(r.contains(JapaneseDates.time(next)), "nextUpdate of the CRL handshakes read now: " + r);
        assertTrue(r.contains(JapaneseDates.time(crl.getThisUpdate().toInstant())), r);
        assertTrue(r.contains(crl.getIssuerX500Principal().getName()), r);
        assertTrue(r.contains("class=\"warn\"") && r.contains("まもなく期限"), r);
        assertTrue(daysLeft(r, next), r);
        assertTrue(html.contains("CRL_EXPIRED") && html.contains("すべて拒否"), "the page says the gateway fails closed");
    }

    @Test
    void spoolAndAuditStoreAreShown() throws Exception {
        String html = page("operator", "/console/operations").body();
        String spool = element(html, "spool");
        long reserve = w.gw.gateway.metrics().gaugeValue(Metrics.SPOOL_RESERVE);
        assertTrue(spool.contains(Sizes.exact(reserve) + " bytes"), "the reserve gauge: " + spool);
        assertTrue(spool.contains("id=\"spool-usable\"") && spool.contains("id=\"spool-used\""), spool);
        assertTrue(element(html, "audit-store").contains("data-status=\"ok\""), html);
    }

    @Test
    void onlyOperatorsSeeTheOperationsPage() throws Exception {
        for (String who : List.of("auditor", "secretariat")) {
            HttpResponse<String> r = page(who, "/console/operations");
            assertEquals(403, r.statusCode(), who + ": " + r.body());
            assertTrue(r.body().contains("ROLE_REQUIRED"), r.body());
            assertFalse(r.body().contains("listeners"), r.body());
            assertNotNull(w.gw.awaitEvent(
                    EventType.REQUEST_DENIED,
                    e -> "ROLE_REQUIRED".equals(e.event().reason())
                            && e.event().principal().subject().startsWith("CN=" + who + ",")
                            && e.event().detailJson().contains("\"path\":\"/console/operations\"")));
        }
        HttpResponse<String> en = page("operator", "/console/operations?lang=en");
        assertTrue(en.body().contains("<html lang=\"en\">") && en.body().contains("Days left"), en.body());
    }
}

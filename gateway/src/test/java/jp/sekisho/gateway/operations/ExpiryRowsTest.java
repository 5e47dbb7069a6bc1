package jp.sekisho.gateway.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gg.jte.html.OwaspHtmlTemplateOutput;
import gg.jte.output.StringOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.console.ConsoleView;
import jp.sekisho.gateway.console.Lang;
import jp.sekisho.gateway.console.Messages;
import jp.sekisho.gateway.console.templates.operations.JteindexGenerated;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.Role;
import jp.sekisho.gateway.tls.CrlStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the operator's page warns: a certificate from 30 days before its end, a CRL from 7 days
 * before its next update and whenever handshakes refuse because of it (expired, unreadable), with
 * real certificates and CRLs read the way the handshakes read them.
 */
class ExpiryRowsTest {

    @TempDir
    static Path dir;

    static TestPki pki;

    @BeforeAll
    static void pki() {
        pki = TestPki.create(dir.resolve("pki"));
    }

    @Test
    void daysLeftAndTheWarningFollowTheEnd() {
        Instant now = Instant.parse("2026-12-04T12:00:00Z");
        Duration month = Duration.ofDays(30);
        Expiry far = Expiry.of(now.plus(Duration.ofDays(31)), now, month);
        assertEquals(31, far.daysLeft());
        assertFalse(far.warn() || far.past());
        Expiry near = Expiry.of(now.plus(Duration.ofDays(29)).plusSeconds(3600), now, month);
        assertEquals(29, near.daysLeft());
        assertTrue(near.warn() && !near.past());
        Expiry past = Expiry.of(now.minusSeconds(60), now, month);
        assertEquals(-1, past.daysLeft(), "a minute past is the day before, not day 0");
        assertTrue(past.warn() && past.past());
    }

    @Test
    void aCertificateWithinAMonthOfItsEndWarns() {
        var shortLived =
                pki.authority().issue(IssueRequest.of("short", CertKind.CLIENT).withDays(10));
        CertificateRow r = CertificateRow.of("anchor", shortLived.certificate(), Instant.now());
        assertTrue(r.expiry().warn() && !r.expiry().past(), r.toString());
        assertTrue(r.expiry().daysLeft() == 9 || r.expiry().daysLeft() == 10, r.toString());
        assertEquals(shortLived.certificate().getSerialNumber().toString(16), r.serial());
        CertificateRow year = CertificateRow.of("anchor", pki.client("long").certificate(), Instant.now());
        assertFalse(year.expiry().warn());
    }

    @Test
    void aCrlPastItsNextUpdateOrUnreadableIsWhatHandshakesRefuse() throws Exception {
        Path broken = dir.resolve("broken-crl.pem");
        Files.writeString(broken, "-----BEGIN X509 CRL-----\nnot a crl\n-----END X509 CRL-----\n");
        List<Path> files = List.of(pki.crlFile(), broken);
        List<java.security.cert.X509Certificate> anchors = List.of(pki.caCertificate());

        List<CrlRow> today = CrlRow.all(new CrlStore(files, anchors, Clock.systemUTC()), Instant.now());
        assertNull(today.get(0).refusal(), today.get(0).toString());
        assertEquals(
                pki.caCertificate().getSubjectX500Principal().getName(),
                today.get(0).issuer());
        assertEquals(Reason.CRL_UNAVAILABLE, today.get(1).refusal());
        assertTrue(today.get(1).warn() && today.get(1).issuer() == null);

        // the same CRL seen 60 days on: past its nextUpdate, and the store's own check says so too
        Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(60)), ZoneOffset.UTC);
        CrlStore store = new CrlStore(files, anchors, later);
        CrlRow expired = CrlRow.all(store, later.instant()).get(0);
        assertEquals(Reason.CRL_EXPIRED, expired.refusal());
        assertTrue(expired.warn()
                && expired.nextUpdate().past()
                && expired.nextUpdate().daysLeft() < 0);
        assertEquals(
                "CRL_EXPIRED",
                store.check(pki.client("someone").certificate(), pki.caCertificate())
                        .reason());

        String html = render(List.of(expired, today.get(1)));
        assertTrue(html.contains("<code>CRL_EXPIRED</code>") && html.contains("すべて拒否されています"), html);
        assertTrue(html.contains("<code>CRL_UNAVAILABLE</code>"), html);
        assertTrue(html.contains("class=\"expired\""), html);
        assertTrue(html.contains("data-status=\"unavailable\"") && html.contains("AUDIT_UNAVAILABLE"), html);
    }

    private static String render(List<CrlRow> crls) {
        Principal p = new Principal("CN=operator", "1", "ab", List.of(Role.OPERATOR));
        ConsoleView v = new ConsoleView(p, Messages.of(Lang.JA), "t", "/console/operations", "運用", List.of(), null);
        StringOutput s = new StringOutput();
        JteindexGenerated.render(
                new OwaspHtmlTemplateOutput(s),
                null,
                v,
                "gw1",
                List.of(),
                List.of(),
                crls,
                new StorageRow(10L << 30, 1L << 20, 1L << 30, false, false));
        return s.toString();
    }
}

package jp.sekisho.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The registry's exposition is strict Prometheus text, labels stay bounded, and every refusal has its stage. */
class MetricsExpositionTest {

    @Test
    void aRefusedRequestIsCountedWithItsMethodReasonAndStageAndTimed() {
        try (Metrics m = new Metrics()) {
            m.request("transfer", "PATCH", "ALLOW", "OK", System.nanoTime());
            m.request("transfer", "GET", "DENY", "NOT_A_SENDER", System.nanoTime());
            m.request("transfer", "PATCH", "DENY", "PAYLOAD_NOT_ENCRYPTED", System.nanoTime());
            m.connection("transfer", "DENY", "IP_NOT_ALLOWED");
            m.connection("admin", "DENY", "UNKNOWN_CA");
            m.connection("relay", "DENY", "REVOKED");

            List<PrometheusText.Sample> s = PrometheusText.parse(m.render());
            assertEquals(
                    1,
                    PrometheusText.sum(
                            s,
                            Metrics.REQUESTS,
                            "listener",
                            "transfer",
                            "method",
                            "GET",
                            "outcome",
                            "DENY",
                            "reason",
                            "NOT_A_SENDER"));
            assertEquals(
                    0,
                    PrometheusText.sum(s, Metrics.REQUESTS, "method", "GET", "outcome", "ALLOW"),
                    "a refusal is never counted as allowed");
            assertEquals(1, PrometheusText.sum(s, Metrics.REQUESTS, "method", "PATCH", "outcome", "ALLOW"));
            assertEquals(1, PrometheusText.sum(s, Metrics.REFUSALS, "stage", "request", "reason", "NOT_A_SENDER"));
            assertEquals(
                    1, PrometheusText.sum(s, Metrics.REFUSALS, "stage", "payload", "reason", "PAYLOAD_NOT_ENCRYPTED"));
            assertEquals(1, PrometheusText.sum(s, Metrics.REFUSALS, "stage", "edge", "reason", "IP_NOT_ALLOWED"));
            assertEquals(1, PrometheusText.sum(s, Metrics.REFUSALS, "stage", "tls", "reason", "UNKNOWN_CA"));
            assertEquals(1, PrometheusText.sum(s, Metrics.REFUSALS, "stage", "tls", "reason", "REVOKED"));
            assertEquals(0, PrometheusText.sum(s, Metrics.REFUSALS, "reason", "OK"), "an answer is no refusal");
            assertEquals(
                    2,
                    PrometheusText.sum(
                            s, Metrics.REQUEST_SECONDS + "_count", "listener", "transfer", "outcome", "DENY"));
            assertEquals(
                    1,
                    PrometheusText.sum(
                            s,
                            Metrics.REQUEST_SECONDS + "_bucket",
                            "listener",
                            "transfer",
                            "outcome",
                            "ALLOW",
                            "le",
                            "+Inf"));
            assertTrue(
                    PrometheusText.sum(s, Metrics.REQUEST_SECONDS + "_bucket", "le", "0.1") >= 1,
                    "the SLO bucket of 100 ms is published: "
                            + s.stream()
                                    .filter(x -> x.name().equals(Metrics.REQUEST_SECONDS + "_bucket"))
                                    .map(x -> x.labels().get("le"))
                                    .distinct()
                                    .toList());
        }
    }

    @Test
    void labelValuesAreBoundedAndEscapedWhateverTheClientSends() {
        try (Metrics m = new Metrics()) {
            m.request("transfer\"}\nx 1", "BREW", "DENY", "a\"b\\c\nd", System.nanoTime());
            m.request("transfer", "get", "MAYBE", "REQUEST_ERROR", System.nanoTime());
            m.transfer("route/with/slashes", "STORED");
            String text = m.render();
            List<PrometheusText.Sample> s = PrometheusText.parse(text);
            assertEquals(
                    1,
                    PrometheusText.sum(
                            s,
                            Metrics.REQUESTS,
                            "listener",
                            "-",
                            "method",
                            "OTHER",
                            "outcome",
                            "DENY",
                            "reason",
                            "OTHER"),
                    text);
            assertEquals(
                    1, PrometheusText.sum(s, Metrics.REQUESTS, "method", "GET", "outcome", "ERROR"), "unknown outcome");
            assertEquals(1, PrometheusText.sum(s, Metrics.TRANSFERS, "route", "-", "outcome", "STORED"));
            assertFalse(text.contains("BREW") || text.contains("a\"b") || text.contains("slashes"), text);
        }
    }

    @Test
    void gaugesKeepTheirPublicSignatureAndALaterRegistrationReplacesTheValue() {
        try (Metrics m = new Metrics()) {
            AtomicLong v = new AtomicLong(42);
            m.gauge("sekisho_crl_next_update_seconds", "seconds until the CRL's nextUpdate", v::get);
            assertEquals(42, m.gaugeValue("sekisho_crl_next_update_seconds"));
            m.gauge("sekisho_crl_next_update_seconds", "seconds until the CRL's nextUpdate", () -> 7);
            List<PrometheusText.Sample> s = PrometheusText.parse(m.render());
            assertEquals(7, PrometheusText.sum(s, "sekisho_crl_next_update_seconds"));
            assertTrue(m.render().contains("# TYPE sekisho_crl_next_update_seconds gauge"), m.render());
            assertEquals(-1, m.gaugeValue("sekisho_nothing"));
        }
    }

    @Test
    void theGrammarCheckRefusesWhatPrometheusWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse("x_total 1\n"), "no TYPE");
        assertThrows(
                IllegalArgumentException.class,
                () -> PrometheusText.parse("# TYPE x counter\nx{a=\"b\nc\"} 1\n"),
                "raw newline in a label");
        assertThrows(
                IllegalArgumentException.class,
                () -> PrometheusText.parse("# TYPE x counter\nx{a=\"\"\"} 1\n"),
                "unescaped quote");
        assertThrows(
                IllegalArgumentException.class,
                () -> PrometheusText.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"),
                "falling buckets");
        assertEquals(
                1,
                PrometheusText.parse("# TYPE x counter\nx{a=\"q\\\"\\n\"} 1\n").size());
    }
}

package jp.sekisho.gateway.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.config.ConfigException;
import jp.sekisho.gateway.config.HealthSettings;
import jp.sekisho.gateway.tls.CrlStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each cause of "alive but refusing" on its own, on a real CRL, and the strict {@code health:} section. */
class HealthStateTest {

    @TempDir
    Path dir;

    @Test
    void eachCauseIsNamedOnceAndACurrentNodeHasNone() throws Exception {
        TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        Instant now = Instant.now();
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        CrlStore crls = new CrlStore(List.of(pki.crlFile(), pki.crlFile()), List.of(pki.caCertificate()), clock);
        assertEquals(List.of(), new HealthState(crls, () -> true, () -> now, clock).refusing());
        assertEquals(
                List.of(HealthState.AUDIT_UNAVAILABLE, HealthState.POLICY_UNAVAILABLE),
                new HealthState(crls, () -> false, () -> now.minus(Duration.ofSeconds(31)), clock).refusing());
        assertEquals(
                List.of(),
                new HealthState(crls, () -> true, () -> now.minus(Duration.ofSeconds(29)), clock).refusing(),
                "a few missed reloads are no outage");

        Clock later = Clock.fixed(now.plus(Duration.ofDays(31)), ZoneOffset.UTC); // past the 30-day nextUpdate
        CrlStore stale = new CrlStore(List.of(pki.crlFile(), pki.crlFile()), List.of(pki.caCertificate()), later);
        assertEquals(
                List.of(HealthState.CRL_EXPIRED),
                new HealthState(stale, () -> true, later::instant, later).refusing(),
                "two stale files, one reason");
        CrlStore missing = new CrlStore(List.of(dir.resolve("none.pem")), List.of(pki.caCertificate()), clock);
        assertEquals(
                List.of(HealthState.CRL_UNAVAILABLE),
                new HealthState(missing, () -> true, () -> now, clock).refusing());
    }

    @Test
    void theSectionIsStrict() {
        Path f = Path.of("gateway.yml");
        HealthSettings s = HealthSettings.from(Map.of("listen", "127.0.0.1:9444", "allow", List.of("10.0.0.0/24")), f);
        assertEquals("127.0.0.1", s.bind());
        assertEquals(9444, s.port());
        assertEquals(
                "::1",
                HealthSettings.from(Map.of("listen", "[::1]:9444", "allow", List.of("::1/128")), f)
                        .bind());
        assertEquals(null, HealthSettings.from(null, f));
        assertMessage("gateway.yml: health.lisen: unknown key", Map.of("lisen", "x", "allow", List.of("10.0.0.0/24")));
        assertMessage("gateway.yml: health.listen: expected ADDRESS:PORT", Map.of("listen", "localhost:9444"));
        assertMessage("gateway.yml: health.listen: port must be 0 to 65535", Map.of("listen", "127.0.0.1:99999"));
        assertMessage("gateway.yml: health.allow: expected a list of CIDRs", Map.of("listen", "127.0.0.1:1"));
        assertMessage(
                "gateway.yml: health.allow[1]: '10.0.0.300/8'",
                Map.of("listen", "127.0.0.1:1", "allow", List.of("10.0.0.0/8", "10.0.0.300/8")));
    }

    private static void assertMessage(String start, Map<String, Object> section) {
        ConfigException e =
                assertThrows(ConfigException.class, () -> HealthSettings.from(section, Path.of("gateway.yml")));
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }
}

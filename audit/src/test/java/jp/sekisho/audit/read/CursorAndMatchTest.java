package jp.sekisho.audit.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cursors survive a URL and a shell; principal input becomes the forms the store holds. */
class CursorAndMatchTest {

    @Test
    void aCursorRoundTripsThroughItsTokenExactly() {
        Cursor c = new Cursor(Instant.parse("2026-12-04T12:00:19.123456Z"), "gw-久留米.1", 42);
        String token = c.token();
        assertTrue(token.matches("[0-9A-Za-z._-]+"), token);
        assertEquals(c, Cursor.parse("before", token));
        assertEquals(
                new Cursor(Instant.parse("2026-12-04T12:00:19.123456Z"), "gw1", 7),
                new Cursor(Instant.parse("2026-12-04T12:00:19.123456789Z"), "gw1", 7),
                "microseconds, as stored");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "1.2", "1.2.!!", "1.-2.Z3cx", "99999999999999999999.1.Z3cx", "1.2.____"})
    void aTokenThatIsNoCursorIsRefusedNamingTheParameter(String token) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cursor.parse("before", token));
        assertTrue(e.getMessage().startsWith("before: 前のページが示したカーソル"), e.getMessage());
        assertTrue(e.getMessage().contains(" / must be the cursor a previous page gave"), e.getMessage());
    }

    @Test
    void principalInputBecomesTheStoredForms() {
        PrincipalMatch m = PrincipalMatch.of("/C=JP/O=Kurume City/CN=Tanaka");
        assertTrue(m.subjects().contains("CN=Tanaka,O=Kurume City,C=JP"), m.toString());
        assertTrue(m.serials().isEmpty());
        assertNull(m.sha256());

        PrincipalMatch rev = PrincipalMatch.of("C=JP, O=Kurume City, CN=Tanaka");
        assertTrue(rev.subjects().contains("CN=Tanaka,O=Kurume City,C=JP"), rev.toString());

        PrincipalMatch escaped = PrincipalMatch.of("/O=Kurume\\/Chikugo, Inc./CN=Tanaka");
        assertTrue(escaped.subjects().contains("CN=Tanaka,O=Kurume/Chikugo\\, Inc."), escaped.toString());

        assertEquals(List.of("00ab", "ab"), PrincipalMatch.of("00:AB").serials());
        assertEquals("ab".repeat(32), PrincipalMatch.of("AB:".repeat(31) + "AB").sha256());
        assertTrue(PrincipalMatch.of("AB:".repeat(31) + "AB").serials().isEmpty(), "64 hex digits are no serial");
        assertEquals(
                List.of("local-cli:alice"),
                PrincipalMatch.of(" local-cli:alice ").subjects());
        assertTrue(PrincipalMatch.of("/CN=x".repeat(40)).subjects().size() == 1, "too many RDNs: literal only");
    }
}

package jp.sekisho.gateway.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The grammars of {@link Ids}, {@link FileNames} and {@link RequestTarget}, case by case. */
class InputRulesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "..",
                ".",
                "",
                "a/b",
                "a\\b",
                "a\u0000b",
                "a\u0085b",
                "a\u007fb",
                "invoice\u202Efdp.exe",
                "a\u2066b",
                "a\u200Fb",
                "a\u061Cb",
                " lead",
                "trail ",
                "trail.",
                "\u3000全角空白"
            })
    void fileNamesBreakingTheRule(String name) {
        assertTrue(FileNames.problem(name).isPresent(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"residents.csv", "住民票_2026.csv.cms", ".hidden", "a b.txt"})
    void fileNamesWithinTheRule(String name) {
        assertEquals(Optional.empty(), FileNames.problem(name), name);
    }

    @Test
    void aFileNameIsBoundedInUtf8Bytes() {
        assertTrue(FileNames.valid("x".repeat(255)));
        assertFalse(FileNames.valid("x".repeat(256)));
        assertTrue(FileNames.valid("あ".repeat(85))); // 255 bytes
        assertFalse(FileNames.valid("あ".repeat(86))); // 258 bytes
    }

    @Test
    void aPrintableNameShowsWhatHidesInIt() {}

    @Test
    void idsByKind() {
        assertTrue(Ids.ROUTE.valid("kurume-benefit"));
        assertFalse(Ids.ROUTE.valid("Bad.Id"));
        assertFalse(Ids.ROUTE.valid("a\r\nb/../x"));
        assertFalse(Ids.ROUTE.valid("a".repeat(64)));
        assertTrue(Ids.TRANSFER.valid("Q0tQSkZ6d1ZrM1l3b3h3"));
        assertFalse(Ids.TRANSFER.valid("x".repeat(65)));
        assertTrue(Ids.APPROVAL_REF.valid("2総政第158号"));
        assertTrue(Ids.APPROVAL_REF.valid("REF-1"));
        assertFalse(Ids.APPROVAL_REF.valid("A".repeat(1100)));
        assertFalse(Ids.APPROVAL_REF.valid("REF\u0000"));
        assertFalse(Ids.APPROVAL_REF.valid("../REF"));
        assertFalse(Ids.APPROVAL_REF.valid(" REF"));
        assertTrue(Ids.DATA_ITEM.valid("resident_code"));
        assertFalse(Ids.DATA_ITEM.valid("Resident Code"));
    }

    @Test
    void requestTargets() {
        assertEquals(Optional.empty(), RequestTarget.check("/api/v1/routes/benefit/terms?as=sender"));
        assertEquals(
                Optional.empty(),
                RequestTarget.check("/api/v1/approvals/2%E7%B7%8F%E6%94%BF%E7%AC%AC158%E5%8F%B7/history"));
        assertEquals(Optional.empty(), RequestTarget.check("/api/v1/routes/benefit/uploads/"));
        assertPath("/api/v1/routes/%zz");
        assertPath("/api/v1/routes/%4");
        assertPath("/api/v1/routes/a%00b");
        assertPath("/api/v1/routes/%C3%28");
        assertPath("/api/v1/routes/%E2%80%AE");
        assertPath("/" + "a".repeat(RequestTarget.MAX_PATH));
        assertPath("/api/v1/audit/events?q=%zz");
        assertPath("relative");
        assertId("/api/v1/routes/Bad.Id/terms");
        assertId("/api/v1/routes/benefit/transfers/" + "x".repeat(65) + "/payload");
        assertId("/api/v1/approvals/" + "A".repeat(1100));
    }

    private static void assertPath(String uri) {
        Optional<RequestTarget.Problem> p = RequestTarget.check(uri);
        assertTrue(p.isPresent() && !p.get().id(), uri + ": " + p);
    }

    private static void assertId(String uri) {
        Optional<RequestTarget.Problem> p = RequestTarget.check(uri);
        assertTrue(p.isPresent() && p.get().id(), uri + ": " + p);
    }
}

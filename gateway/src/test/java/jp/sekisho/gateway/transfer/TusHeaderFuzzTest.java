package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import jp.sekisho.certs.testing.Fuzz;
import jp.sekisho.gateway.admission.Reason;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing the tus header parsers with arbitrary and almost-valid text: each answers a value or a
 * {@link TransferProblem} carrying a known {@link Reason}, never another exception. A short run here;
 * {@code -Dsekisho.fuzz.tries=100000} runs longer (docs/security-fuzzing.md).
 */
class TusHeaderFuzzTest {

    private static final int TRIES = 300;
    private static final String B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

    /** Runs the parse; a refusal must name a reason the gateway knows. */
    private static void definedOutcome(Supplier<?> parse) {
        try {
            var unused = parse.get();
        } catch (TransferProblem e) {
            assertNotNull(Reason.valueOf(e.reason()), e.reason());
        }
    }

    /** Any text, text near the metadata alphabet, or valid metadata with a few characters inserted. */
    static String headerText(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> Fuzz.string(r, 300);
            case 1 -> Fuzz.string(r, 200, B64 + " ,-.\t\r\n\u0000\u202e€あ");
            default -> mutated(r, validMetadata(r));
        };
    }

    static String validMetadata(Random r) {
        String name = Fuzz.string(r, 300);
        String sha = Fuzz.string(r, Fuzz.between(r, 62, 66), "0123456789abcdefABCDEFg");
        String records = Fuzz.string(r, 22, "0123456789-+e ");
        return "filename " + b64(name) + ",sha256 " + b64(sha) + ",records " + b64(records);
    }

    private static String mutated(Random r, String s) {
        StringBuilder sb = new StringBuilder(s);
        int at = Fuzz.between(r, 0, s.length());
        for (int i = Fuzz.between(r, 0, 4); i > 0; i--) {
            sb.insert(Math.min(at, sb.length()), (char) r.nextInt(Character.MAX_VALUE + 1));
        }
        return sb.toString();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void uploadMetadata() {
        Fuzz.run("tus Upload-Metadata", TRIES, TusHeaderFuzzTest::headerText, header -> {
            definedOutcome(() -> Tus.metadata(header, true));
            definedOutcome(() -> Tus.metadata(header, false));
        });
    }

    @Test
    void uploadChecksum() {
        Fuzz.run("tus Upload-Checksum", TRIES, TusHeaderFuzzTest::headerText, header -> {
            definedOutcome(() -> Tus.checksum(header));
            definedOutcome(() -> Tus.checksum("sha256 " + header));
        });
    }

    @Test
    void lengthsAndOffsets() {
        Fuzz.run("tus lengths and offsets", TRIES, r -> List.of(headerText(r), headerText(r)), ab -> {
            String a = ab.get(0);
            String b = ab.get(1);
            for (String v : ab) {
                definedOutcome(() -> Tus.nonNegative(v, "Upload-Offset"));
            }
            definedOutcome(() -> Tus.creationLength(a, null));
            definedOutcome(() -> Tus.creationLength(null, b));
            definedOutcome(() -> Tus.creationLength(a, b));
            definedOutcome(() -> Tus.declaration(a, b));
            definedOutcome(() -> Tus.declaration(null, a));
        });
    }

    @Test
    void payloadRange() {
        Fuzz.run("payload Range", TRIES, TusHeaderFuzzTest::headerText, header -> {
            definedOutcome(() -> PayloadRange.start(header));
            definedOutcome(() -> PayloadRange.start("bytes=" + header));
        });
    }
}

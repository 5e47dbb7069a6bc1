package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import jp.sekisho.gateway.admission.Reason;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing the tus header parsers with arbitrary and almost-valid text: each answers a value or a
 * {@link TransferProblem} carrying a known {@link Reason}, never another exception. A short run here;
 * {@code -Djqwik.tries.default=100000} runs longer (see src/test/resources/junit-platform.properties).
 */
class TusHeaderFuzzTest {

    private static final String B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

    /** Runs the parse; a refusal must name a reason the gateway knows. */
    private static void definedOutcome(Supplier<?> parse) {
        try {
            var unused = parse.get();
        } catch (TransferProblem e) {
            assertNotNull(Reason.valueOf(e.reason()), e.reason());
        }
    }

    @Provide
    Arbitrary<String> headerText() {
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(300);
        Arbitrary<String> near = Arbitraries.strings()
                .withChars(B64 + " ,-.\t\r\n\u0000\u202e€あ")
                .ofMaxLength(200);
        return Arbitraries.oneOf(any, near, validMetadata().flatMap(TusHeaderFuzzTest::mutated));
    }

    @Provide
    Arbitrary<String> validMetadata() {
        Arbitrary<String> name = Arbitraries.strings().all().ofMaxLength(300);
        Arbitrary<String> sha = Arbitraries.strings()
                .withChars("0123456789abcdefABCDEFg")
                .ofMinLength(62)
                .ofMaxLength(66);
        Arbitrary<String> records =
                Arbitraries.strings().withChars("0123456789-+e ").ofMaxLength(22);
        return Combinators.combine(name, sha, records)
                .as((n, s, r) -> "filename " + b64(n) + ",sha256 " + b64(s) + ",records " + b64(r));
    }

    private static Arbitrary<String> mutated(String s) {
        return Arbitraries.integers()
                .between(0, s.length())
                .flatMap(at -> Arbitraries.chars().all().list().ofMaxSize(4).map(cs -> {
                    StringBuilder sb = new StringBuilder(s);
                    for (char c : cs) {
                        sb.insert(Math.min(at, sb.length()), c);
                    }
                    return sb.toString();
                }));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Property
    void uploadMetadata(@ForAll("headerText") String header, @ForAll boolean shaRequired) {
        definedOutcome(() -> Tus.metadata(header, shaRequired));
    }

    @Property
    void uploadChecksum(@ForAll("headerText") String header) {
        definedOutcome(() -> Tus.checksum(header));
        definedOutcome(() -> Tus.checksum("sha256 " + header));
    }

    @Property
    void lengthsAndOffsets(@ForAll("headerText") String a, @ForAll("headerText") String b) {
        for (String v : List.of(a, b)) {
            definedOutcome(() -> Tus.nonNegative(v, "Upload-Offset"));
        }
        definedOutcome(() -> Tus.creationLength(a, null));
        definedOutcome(() -> Tus.creationLength(null, b));
        definedOutcome(() -> Tus.creationLength(a, b));
        definedOutcome(() -> Tus.declaration(a, b));
        definedOutcome(() -> Tus.declaration(null, a));
    }

    @Property
    void payloadRange(@ForAll("headerText") String header) {
        definedOutcome(() -> PayloadRange.start(header));
        definedOutcome(() -> PayloadRange.start("bytes=" + header));
    }
}

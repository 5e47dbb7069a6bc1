package jp.sekisho.gateway.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.envelope.PayloadRefusal;
import jp.sekisho.gateway.route.RouteState;
import org.junit.jupiter.api.Test;

/**
 * docs/reason-codes.md is generated from {@link Reason}; this test fails when the two differ. To
 * regenerate after changing the enum: {@code mvn -pl gateway -am verify -Dtest=ReasonCodesDocTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dsekisho.docs.write=true}.
 */
class ReasonCodesDocTest {

    private static final Path DOC = Path.of("..", "docs", "reason-codes.md");

    static String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# 理由コード / Reason codes\n\n")
                .append(
                        "<!-- generated from gateway/src/main/java/jp/sekisho/gateway/admission/Reason.java by ReasonCodesDocTest; do not edit -->\n\n")
                .append("Every refusal the gateway gives carries one of these stable codes: in the problem answer\n")
                .append(
                        "(`reason`), in the audit event (`reason`), in `sekisho_requests_total` / `sekisho_connections_total`\n")
                .append(
                        "and in the CLI's output. HTTP status `-` means the code never answers a request: the connection\n")
                .append(
                        "is closed at the edge or in the TLS handshake, or the code only records how a transfer ended.\n")
                .append(
                        "The stages follow the order of checks in the README; docs/architecture.md shows where each is decided.\n");
        Reason.Stage stage = null;
        for (Reason r : Reason.values()) {
            if (r.stage() != stage) {
                stage = r.stage();
                sb.append("\n## ").append(stage.name()).append("\n\n");
                sb.append("| code | HTTP | 説明 | description |\n|---|---|---|---|\n");
            }
            sb.append("| `")
                    .append(r.code())
                    .append("` | ")
                    .append(r.status() == 0 ? "-" : r.status() + " " + r.title())
                    .append(" | ")
                    .append(r.ja())
                    .append(" | ")
                    .append(r.en().replace("|", "\\|"))
                    .append(" |\n");
        }
        return sb.toString();
    }

    @Test
    void theDocumentIsGeneratedFromTheEnum() throws Exception {
        String expected = render();
        if (Boolean.getBoolean("sekisho.docs.write")) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(DOC), DOC + " is missing: run this test with -Dsekisho.docs.write=true");
        assertEquals(
                expected,
                Files.readString(DOC, StandardCharsets.UTF_8),
                "docs/reason-codes.md differs from the Reason enum: run this test with -Dsekisho.docs.write=true");
    }

    @Test
    void codesDecidedElsewhereAreInTheEnum() {
        for (PayloadRefusal p : PayloadRefusal.values()) {
            assertTrue(Reason.of(p.name()).isPresent(), "envelope refusal " + p);
        }
        Arrays.stream(RouteState.values())
                .filter(s -> s != RouteState.ACTIVE)
                .forEach(s -> assertEquals(
                        Reason.Stage.REQUEST, Reason.valueOf(s.name()).stage(), "route state " + s));
        assertEquals(503, Reason.valueOf(AuditUnavailableException.REASON).status());
    }

    @Test
    void everyAnsweredCodeHasATitleAndBothDescriptions() {
        for (Reason r : Reason.values()) {
            assertTrue(r.status() == 0 || (r.status() >= 400 && r.status() < 600), r.name());
            assertTrue(!r.ja().isBlank() && !r.en().isBlank(), r.name());
            boolean connectionLevel =
                    (r.stage() == Reason.Stage.EDGE || r.stage() == Reason.Stage.TLS) && r != Reason.NO_CERTIFICATE;
            assertEquals(
                    r.status() == 0,
                    connectionLevel || r.stage() == Reason.Stage.TRANSFER_END,
                    "status 0 exactly for connection-level and transfer-end codes: " + r.name());
        }
    }
}

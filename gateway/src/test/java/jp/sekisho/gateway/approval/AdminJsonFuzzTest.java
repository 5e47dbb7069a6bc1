package jp.sekisho.gateway.approval;

import java.io.IOException;
import java.util.Map;
import jp.sekisho.audit.json.Json;
import jp.sekisho.gateway.route.RouteJson;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing the administration JSON: the audit module's strict parser, and the approval and route
 * bodies as the API's serde reads them and turns them into domain values. Arbitrary and mutated
 * JSON gives a value or the defined refusal (IllegalArgumentException from the strict parser, an
 * IOException from serde, IllegalArgumentException/NullPointerException from a domain constructor,
 * which the controllers answer as INVALID_APPROVAL / INVALID_ROUTE), never another exception.
 */
class AdminJsonFuzzTest {

    private static final io.micronaut.serde.ObjectMapper SERDE = io.micronaut.serde.ObjectMapper.getDefault();

    static final String APPROVAL = "{\"ref\":\"A-1\",\"title\":\"t\",\"legalBasis\":\"b\",\"departments\":[\"d\"],"
            + "\"contractor\":\"c\",\"subcontractors\":[],\"dataItems\":[\"name\"],\"maxRecords\":10,"
            + "\"validFrom\":\"2026-01-01\",\"validUntil\":\"2027-01-01\","
            + "\"conditions\":{\"text\":\"x\",\"deleteAfterDelivery\":true},\"meetingRef\":\"m\"}";
    static final String ROUTE = "{\"id\":\"r\",\"listener\":\"transfer\",\"approvalRef\":\"A-1\","
            + "\"senders\":[{\"subject\":\"CN=s\",\"allow\":[\"127.0.0.1/32\"]}],"
            + "\"receivers\":[{\"sha256\":\"ab\",\"allow\":[]}],\"recipients\":[\"x\"],"
            + "\"maxPayloadBytes\":1,\"retentionSeconds\":1,\"allowCbc\":false}";

    @Provide
    Arbitrary<String> json() {
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(200);
        Arbitrary<String> tokens = Arbitraries.strings()
                .withChars("{}[]\":,0123456789.-+eEtrufalsn \\u")
                .ofMaxLength(120);
        Arbitrary<String> valid = Arbitraries.of(APPROVAL, ROUTE, "{\"decision\":\"approve\",\"reason\":\"r\"}");
        return Arbitraries.oneOf(any, tokens, valid.flatMap(AdminJsonFuzzTest::mutated));
    }

    /** Up to six edits: a character replaced, inserted or dropped. */
    static Arbitrary<String> mutated(String s) {
        return Arbitraries.integers()
                .between(0, s.length() - 1)
                .list()
                .ofMinSize(1)
                .ofMaxSize(6)
                .flatMap(at -> Arbitraries.chars()
                        .with("{}[]\":,\\0-9a\u0000\u202e")
                        .list()
                        .ofSize(at.size())
                        .map(cs -> {
                            StringBuilder sb = new StringBuilder(s);
                            for (int i = 0; i < at.size(); i++) {
                                int p = Math.min(at.get(i), sb.length() - 1);
                                switch (i % 3) {
                                    case 0 -> sb.setCharAt(p, cs.get(i));
                                    case 1 -> sb.insert(p, cs.get(i));
                                    default -> sb.deleteCharAt(p);
                                }
                            }
                            return sb.toString();
                        }));
    }

    @Property
    void strictParser(@ForAll("json") String text) {
        try {
            Object v = Json.parse(text);
            if (v instanceof Map) {
                Json.parseObject(text);
            }
        } catch (IllegalArgumentException refused) {
            // the defined refusal
        }
    }

    @Property
    void approvalBody(@ForAll("json") String text) {
        ApprovalJson.Draft d;
        try {
            d = SERDE.readValue(text, ApprovalJson.Draft.class);
        } catch (IOException refused) {
            return;
        }
        if (d == null) {
            return;
        }
        try {
            d.toApproval(null);
        } catch (IllegalArgumentException | NullPointerException refused) {
            // INVALID_APPROVAL
        }
    }

    @Property
    void routeBody(@ForAll("json") String text) {
        RouteJson.View v;
        try {
            v = SERDE.readValue(text, RouteJson.View.class);
        } catch (IOException refused) {
            return;
        }
        if (v == null) {
            return;
        }
        try {
            v.toRoute();
        } catch (IllegalArgumentException | NullPointerException refused) {
            // INVALID_ROUTE
        }
    }
}

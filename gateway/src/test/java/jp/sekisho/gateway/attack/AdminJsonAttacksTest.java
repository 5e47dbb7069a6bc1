package jp.sekisho.gateway.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The administration API's inputs: JSON bodies (malformed, a key twice, over-long fields), route
 * definitions in a dry run that break the route rules, audit search filters that are not filters,
 * and SQL metacharacters, which are matched literally.
 */
class AdminJsonAttacksTest extends AttackCategory {

    private String recipientPem;

    @Override
    void prepare(AttackWorld w) throws Exception {
        super.prepare(w);
        // decisions are attacked on an approval no route uses: if one got through, the route stays active
        w.w.approve("REF-2", 10);
        w.w.approve("REF-3", 10);
        recipientPem = Files.readString(w.w.pki.dir().resolve("contractor-enc.pem"));
    }

    private static HostileCase.Attack admin(String who, String method, String path, String body) {
        return w -> RawHttps.send(
                w.tls(who),
                "127.0.0.1",
                w.port("admin"),
                Req.of(method, path, body, "Content-Type", "application/json"));
    }

    private static String approval(String ref) {
        return "{\"ref\":\"" + ref
                + "\",\"title\":\"t\",\"legalBasis\":\"b\",\"contractor\":\"c\",\"dataItems\":[\"name\"],"
                + "\"maxRecords\":10,\"validFrom\":\"2026-01-01\",\"validUntil\":\"2027-01-01\"}";
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20) {
                sb.append(String.format("\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.append('"').toString();
    }

    /** A dry run of the route "benefit" with one field replaced by {@code field: json}. */
    private String route(String field, String json) {
        java.util.Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("id", "\"benefit\"");
        f.put("listener", "\"transfer\"");
        f.put("approvalRef", "\"REF-1\"");
        f.put("senders", "[{\"subject\":\"CN=city-sender,O=Sekisho\",\"allow\":[\"127.0.0.1/32\"]}]");
        f.put("receivers", "[{\"subject\":\"CN=contractor,O=Sekisho\",\"allow\":[\"127.0.0.1/32\"]}]");
        f.put("recipients", "[" + quote(recipientPem) + "]");
        f.put("maxPayloadBytes", "1073741824");
        f.put("retentionSeconds", "604800");
        f.put("allowCbc", "false");
        if (field != null) {
            f.put(field, json);
        }
        StringBuilder sb = new StringBuilder("{\"dryRun\":true,\"routes\":[{");
        f.forEach((k, v) -> sb.append('"').append(k).append("\":").append(v).append(','));
        sb.setLength(sb.length() - 1);
        return sb.append("}]}").toString();
    }

    @Override
    Stream<HostileCase> cases() {
        List<HostileCase> l = new ArrayList<>();
        Expected json = Expected.refused(400, "JSON_INVALID");
        // JSON bodies
        l.add(c(
                "approval with a key twice",
                admin(
                        "secretariat",
                        "POST",
                        "/api/v1/approvals",
                        approval("DUP-1").replace("{\"ref\":\"DUP-1\",", "{\"ref\":\"DUP-1\",\"ref\":\"DUP-2\",")),
                json));
        l.add(c(
                "approval cut short",
                admin("secretariat", "POST", "/api/v1/approvals", "{\"ref\":\"CUT-1\",\"title\":"),
                json));
        l.add(c("approval as a JSON array", admin("secretariat", "POST", "/api/v1/approvals", "[1,2]"), json));
        l.add(c("approval not JSON at all", admin("secretariat", "POST", "/api/v1/approvals", "ref=X&title=y"), json));
        l.add(c(
                "decision with a key twice",
                admin(
                        "secretariat",
                        "POST",
                        "/api/v1/approvals/REF-2/decisions",
                        "{\"decision\":\"suspend\",\"decision\":\"revoke\",\"reason\":\"r\"}"),
                json));
        l.add(c(
                "route dry run with a key twice",
                admin(
                        "operator",
                        "PUT",
                        "/api/v1/routes",
                        route(null, null).replace("{\"dryRun\":true,", "{\"dryRun\":true,\"dryRun\":false,")),
                json));
        // fields over their bounds
        l.add(c(
                "approval reference of 1,100 characters",
                admin("secretariat", "POST", "/api/v1/approvals", approval("R".repeat(1100))),
                // a field of the approval's body: the approval's validation names it
                Expected.refused(400, "INVALID_APPROVAL")));
        l.add(c(
                "decision reason of 10,000 characters",
                admin(
                        "secretariat",
                        "POST",
                        "/api/v1/approvals/REF-3/decisions",
                        "{\"decision\":\"suspend\",\"reason\":\"" + "理".repeat(10_000) + "\"}"),
                Expected.refused(400, "FIELD_INVALID")));
        l.add(c(
                "approval reference with CR LF",
                admin("secretariat", "POST", "/api/v1/approvals", approval("A\\r\\nB")),
                Expected.refused(400, "INVALID_APPROVAL")));
        // decisions the service refuses
        l.add(c(
                "unknown decision",
                admin(
                        "secretariat",
                        "POST",
                        "/api/v1/approvals/REF-2/decisions",
                        "{\"decision\":\"obliterate\",\"reason\":\"r\"}"),
                Expected.refused(400, "UNKNOWN_DECISION")));
        l.add(c(
                "confirmation with nothing to confirm",
                admin("secretariat", "POST", "/api/v1/approvals/REF-2/confirmations", "{\"reason\":\"r\"}"),
                Expected.refused(409, "NOTHING_TO_CONFIRM")));
        l.add(c(
                "decision on an unknown approval",
                admin(
                        "secretariat",
                        "POST",
                        "/api/v1/approvals/NOPE-9/decisions",
                        "{\"decision\":\"suspend\",\"reason\":\"r\"}"),
                Expected.refused(404, "APPROVAL_UNKNOWN")));
        // routes API dry runs breaking the rules
        Expected route = Expected.refused(400, "INVALID_ROUTE");
        l.add(c(
                "route with a negative size limit",
                admin("operator", "PUT", "/api/v1/routes", route("maxPayloadBytes", "-1")),
                route));
        l.add(c(
                "route with a negative retention",
                admin("operator", "PUT", "/api/v1/routes", route("retentionSeconds", "-60")),
                route));
        l.add(c("route id with CR LF", admin("operator", "PUT", "/api/v1/routes", route("id", "\"a\\r\\nb\"")), route));
        l.add(c("route id with ../", admin("operator", "PUT", "/api/v1/routes", route("id", "\"../etc\"")), route));
        l.add(c("route id with NUL", admin("operator", "PUT", "/api/v1/routes", route("id", "\"a\\u0000b\"")), route));
        l.add(c(
                "recipients that are not certificates",
                admin("operator", "PUT", "/api/v1/routes", route("recipients", "[\"hello\"]")),
                route));
        l.add(c("route without senders", admin("operator", "PUT", "/api/v1/routes", route("senders", "[]")), route));
        l.add(c(
                "route without receivers",
                admin("operator", "PUT", "/api/v1/routes", route("receivers", "[]")),
                route));
        l.add(c(
                "route on an unknown listener",
                admin("operator", "PUT", "/api/v1/routes", route("listener", "\"nowhere\"")),
                Expected.refused(400, "UNKNOWN_LISTENER")));
        l.add(c(
                "route with an address that is not a CIDR",
                admin(
                        "operator",
                        "PUT",
                        "/api/v1/routes",
                        route("senders", "[{\"subject\":\"CN=city-sender,O=Sekisho\",\"allow\":[\"300.1.1.1/8\"]}]")),
                Expected.refused(400, "INVALID_CIDR")));
        l.add(c(
                "route naming an unknown approval",
                admin("operator", "PUT", "/api/v1/routes", route("approvalRef", "\"NOPE-1\"")),
                Expected.refused(409, "APPROVAL_UNKNOWN")));
        // audit search filters
        Expected query = Expected.refused(400, "QUERY_INVALID");
        for (String q : List.of(
                "source=300.1.1.1/8",
                "source=abc",
                "source=10.0.0.0/33",
                "from=yesterday",
                "to=2026-13-45",
                "type=NOPE",
                "outcome=MAYBE",
                "limit=-1")) {
            l.add(c("audit search " + q, admin("auditor", "GET", "/api/v1/audit/events?" + q, null), query));
        }
        l.add(c("audit export format=xml", admin("auditor", "GET", "/api/v1/audit/export?format=xml", null), query));
        // SQL metacharacters are data
        for (String q : List.of(
                "principal=%27%20OR%201%3D1%20--",
                "reason=%27%3B%20DELETE%20FROM%20audit_event%3B%20--", "route=benefit%27%20OR%20%27a%27%3D%27a")) {
            l.add(c(
                    "audit search " + q + " matches literally",
                    admin("auditor", "GET", "/api/v1/audit/events?" + q, null),
                    new Expected.Served(
                            200, (a, events) -> assertEquals("[]", a.body().trim(), a.body()))));
        }
        l.add(c(
                "control: the valid route in a dry run is accepted",
                admin("operator", "PUT", "/api/v1/routes", route(null, null)),
                new Expected.Served(
                        200, (a, events) -> assertEquals(true, a.body().contains("\"dryRun\":true"), a.body()))));
        return l.stream();
    }
}

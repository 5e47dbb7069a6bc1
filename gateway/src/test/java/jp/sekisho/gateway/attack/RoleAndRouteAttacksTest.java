package jp.sekisho.gateway.attack;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Every endpoint asked by every principal without one of its roles (403 ROLE_REQUIRED), receivers
 * that are not the route's, administration APIs on the transfer listener, transfer APIs on the admin
 * listener, and an endpoint that declares no role.
 */
class RoleAndRouteAttacksTest extends AttackCategory {

    private static final List<String> EVERYONE =
            List.of("city-sender", "contractor", "secretariat", "auditor", "operator", "nobody");
    private static final String[] TUS = {"Tus-Resumable", "1.0.0"};
    private static final String[] PATCH = {
        "Tus-Resumable", "1.0.0", "Upload-Offset", "0", "Content-Type", "application/offset+octet-stream"
    };
    private static final String[] JSON = {"Content-Type", "application/json"};

    /** An endpoint: listener, method, path, body (null: none), headers, the principals it serves. */
    private record Endpoint(
            String listener, String method, String path, String body, String[] headers, Set<String> allowed) {}

    private static final String R = "/api/v1/routes/benefit";

    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("transfer", "GET", R + "/terms", null, new String[0], Set.of("city-sender", "contractor")),
            new Endpoint("transfer", "POST", R + "/uploads", "", TUS, Set.of("city-sender")),
            new Endpoint("transfer", "DELETE", R + "/uploads/abc", null, TUS, Set.of("city-sender")),
            new Endpoint("transfer", "PATCH", R + "/uploads/abc", "x", PATCH, Set.of("city-sender")),
            new Endpoint("transfer", "GET", R + "/inbox", null, new String[0], Set.of("contractor")),
            new Endpoint(
                    "transfer", "GET", R + "/transfers/abc", null, new String[0], Set.of("city-sender", "contractor")),
            new Endpoint(
                    "transfer",
                    "GET",
                    R + "/transfers/abc/receipt",
                    null,
                    new String[0],
                    Set.of("city-sender", "contractor")),
            new Endpoint("transfer", "GET", R + "/transfers/abc/payload", null, new String[0], Set.of("contractor")),
            new Endpoint("transfer", "POST", R + "/transfers/abc/ack", "{}", JSON, Set.of("contractor")),
            new Endpoint(
                    "admin",
                    "GET",
                    "/api/v1/approvals",
                    null,
                    new String[0],
                    Set.of("secretariat", "auditor", "operator")),
            new Endpoint(
                    "admin",
                    "GET",
                    "/api/v1/approvals/REF-1",
                    null,
                    new String[0],
                    Set.of("secretariat", "auditor", "operator")),
            new Endpoint(
                    "admin",
                    "GET",
                    "/api/v1/approvals/REF-1/history",
                    null,
                    new String[0],
                    Set.of("secretariat", "auditor", "operator")),
            new Endpoint("admin", "POST", "/api/v1/approvals", "{}", JSON, Set.of("secretariat")),
            new Endpoint("admin", "PUT", "/api/v1/approvals/REF-1", "{}", JSON, Set.of("secretariat")),
            new Endpoint("admin", "POST", "/api/v1/approvals/REF-1/decisions", "{}", JSON, Set.of("secretariat")),
            new Endpoint("admin", "POST", "/api/v1/approvals/REF-1/confirmations", "{}", JSON, Set.of("secretariat")),
            new Endpoint(
                    "admin",
                    "GET",
                    "/api/v1/routes",
                    null,
                    new String[0],
                    Set.of("secretariat", "auditor", "operator")),
            new Endpoint(
                    "admin",
                    "GET",
                    "/api/v1/routes/benefit",
                    null,
                    new String[0],
                    Set.of("secretariat", "auditor", "operator")),
            new Endpoint("admin", "PUT", "/api/v1/routes", "{}", JSON, Set.of("operator")),
            new Endpoint("admin", "GET", "/api/v1/audit/events", null, new String[0], Set.of("auditor")),
            new Endpoint("admin", "GET", "/api/v1/audit/export", null, new String[0], Set.of("auditor")),
            new Endpoint("admin", "GET", "/api/v1/audit/verify", null, new String[0], Set.of("auditor")),
            new Endpoint("admin", "GET", "/api/v1/audit/signing-key", null, new String[0], Set.of("auditor")),
            new Endpoint("admin", "GET", "/metrics", null, new String[0], Set.of("auditor", "operator")));

    @Override
    Stream<HostileCase> cases() {
        List<HostileCase> l = new ArrayList<>();
        for (Endpoint e : ENDPOINTS) {
            for (String who : EVERYONE) {
                if (!e.allowed().contains(who)) {
                    l.add(c(
                            e.method() + " " + e.path() + " (" + e.listener() + ") as " + who,
                            send(who, e.listener(), e.method(), e.path(), e.body(), e.headers()),
                            Expected.refused(403, "ROLE_REQUIRED")));
                }
            }
        }
        // a receiver, but not of this route
        l.add(c(
                "inbox of another receiver's route",
                send("other-receiver", "transfer", "GET", R + "/inbox", null),
                Expected.refused(403, "NOT_A_RECEIVER")));
        l.add(c(
                "payload of another receiver's route",
                send("other-receiver", "transfer", "GET", R + "/transfers/abc/payload", null),
                Expected.refused(403, "NOT_A_RECEIVER")));
        l.add(c(
                "ack on another receiver's route",
                send("other-receiver", "transfer", "POST", R + "/transfers/abc/ack", "{}", JSON),
                Expected.refused(403, "NOT_A_RECEIVER")));
        l.add(c(
                "terms as sender asked by the receiver",
                send("contractor", "transfer", "GET", R + "/terms?as=sender", null),
                Expected.refused(403, "NOT_A_SENDER")));
        // administration on the transfer listener
        for (String[] a : new String[][] {
            {"secretariat", "/api/v1/approvals"},
            {"auditor", "/api/v1/audit/events"},
            {"operator", "/api/v1/routes"},
            {"operator", "/metrics"},
            {"operator", "/health"}
        }) {
            l.add(c(
                    a[1] + " on the transfer listener as " + a[0],
                    send(a[0], "transfer", "GET", a[1], null),
                    Expected.refused(404, "ADMIN_LISTENER_ONLY")));
        }
        // a transfer endpoint on the admin listener, an unknown route, an endpoint without roles
        l.add(c(
                "upload on the admin listener",
                send("city-sender", "admin", "POST", R + "/uploads", "", TUS),
                Expected.refused(404, "ROUTE_NOT_ON_LISTENER")));
        l.add(c(
                "terms of an unknown route",
                send("city-sender", "transfer", "GET", "/api/v1/routes/nope/terms", null),
                Expected.refused(404, "ROUTE_UNKNOWN")));
        l.add(c(
                "endpoint that declares no role",
                send("operator", "transfer", "GET", "/api/v1/test/undeclared", null),
                Expected.refused(403, "ROUTE_NOT_DECLARED")));
        return l.stream();
    }

    static HostileCase.Attack send(
            String who, String listener, String method, String path, String body, String... headers) {
        return w -> RawHttps.send(w.tls(who), "127.0.0.1", w.port(listener), Req.of(method, path, body, headers));
    }
}

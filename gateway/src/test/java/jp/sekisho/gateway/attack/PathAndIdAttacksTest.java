package jp.sekisho.gateway.attack;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Ids in paths: every control character (C0, DEL, C1 NEL/CSI) and bidi override in each id position
 * (route id, transfer id on the tus, delivery and payload endpoints, approval reference), malformed
 * percent-escapes, NUL, over-long ids and paths. NUL and broken escapes are PATH_INVALID, every
 * other character outside an id's grammar ID_INVALID; each with a REQUEST_DENIED event.
 */
class PathAndIdAttacksTest extends AttackCategory {

    /** An id position: who asks, on which listener, with which method and path around the id. */
    private record Position(
            String name, String who, String listener, String method, String before, String after, String[] headers) {}

    private static final List<Position> POSITIONS = List.of(
            new Position("route id", "city-sender", "transfer", "GET", "/api/v1/routes/", "/terms", new String[0]),
            new Position(
                    "upload id",
                    "city-sender",
                    "transfer",
                    "DELETE",
                    "/api/v1/routes/benefit/uploads/",
                    "",
                    new String[] {"Tus-Resumable", "1.0.0"}),
            new Position(
                    "transfer id (payload)",
                    "contractor",
                    "transfer",
                    "GET",
                    "/api/v1/routes/benefit/transfers/",
                    "/payload",
                    new String[0]),
            new Position("approval reference", "secretariat", "admin", "GET", "/api/v1/approvals/", "", new String[0]));

    /** Each character with a readable name: C0, DEL, two C1 controls, the bidi overrides and isolates. */
    static List<String[]> hostileCharacters() {
        List<String[]> l = new ArrayList<>();
        for (int c = 0; c < 0x20; c++) {
            l.add(new String[] {String.format("U+%04X", c), String.format("%%%02X", c)});
        }
        l.add(new String[] {"DEL", "%7F"});
        l.add(new String[] {"NEL (C1)", "%C2%85"});
        l.add(new String[] {"CSI (C1)", "%C2%9B"});
        l.add(new String[] {"RLO", "%E2%80%AE"});
        l.add(new String[] {"LRO", "%E2%80%AD"});
        l.add(new String[] {"RLI", "%E2%81%A7"});
        return l;
    }

    @Override
    Stream<HostileCase> cases() {
        List<HostileCase> l = new ArrayList<>();
        for (Position p : POSITIONS) {
            for (String[] ch : hostileCharacters()) {
                // a control or bidi character anywhere in the path is caught by the path check, before
                // the path is split into ids
                String id = "ab" + ch[1] + "cd";
                l.add(c(p.name() + " with " + ch[0], at(p, id), Expected.refused(400, "PATH_INVALID")));
            }
            // clean text that breaks every id kind's grammar: the id check's own refusals
            for (String[] bad : new String[][] {{"a leading space", "%20ab"}, {"a trailing space", "ab%20"}}) {
                l.add(c(p.name() + " with " + bad[0], at(p, bad[1]), Expected.refused(400, "ID_INVALID")));
            }
            for (String[] bad :
                    new String[][] {{"%zz", "x%zzy"}, {"a lone %", "x%"}, {"%e3%81 (cut UTF-8)", "x%e3%81y"}}) {
                l.add(c(
                        p.name() + " with malformed escape " + bad[0],
                        at(p, bad[1]),
                        Expected.refused(400, "PATH_INVALID")));
            }
            l.add(c(p.name() + " of 1,100 characters", at(p, "R".repeat(1100)), Expected.refused(400, "ID_INVALID")));
        }
        l.add(c(
                "over-long path (3,000 characters)",
                w -> RawHttps.send(
                        w.tls("city-sender"),
                        "127.0.0.1",
                        w.port("transfer"),
                        Req.of("GET", "/api/v1/routes/benefit/" + "x/".repeat(1500) + "terms", null)),
                Expected.refused(400, "PATH_INVALID")));
        return l.stream();
    }

    private static HostileCase.Attack at(Position p, String id) {
        return w -> RawHttps.send(
                w.tls(p.who()),
                "127.0.0.1",
                w.port(p.listener()),
                Req.of(p.method(), p.before() + id + p.after(), null, p.headers()));
    }
}

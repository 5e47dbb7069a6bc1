package jp.sekisho.gateway.audit;

import static jp.sekisho.gateway.audit.AuditConsole.attr;
import static jp.sekisho.gateway.audit.AuditConsole.enc;
import static jp.sekisho.gateway.audit.AuditConsole.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live view does not flood the log with its own reads: opening it records one AUDIT_READ, twenty
 * polls record nothing more and still bring every new event of its filter (and none outside it); a
 * poll with another person's, an unknown or a malformed session is refused and audited.
 */
class AuditLiveViewTest {

    @TempDir
    static Path dir;

    static AuditConsole c;

    @BeforeAll
    static void start() throws Exception {
        c = AuditConsole.start(dir);
        for (int i = 0; i < 5; i++) {
            record("live-route", "before-" + i);
        }
        c.flush();
    }

    @AfterAll
    static void stop() {
        if (c != null) {
            c.close();
        }
    }

    static void record(String route, String requestId) {
        c.fx.store
                .log()
                .record(AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY)
                        .reason("NOT_A_SENDER")
                        .routeId(route)
                        .requestId(requestId)
                        .build());
    }

    record Live(String session, String after, String html) {}

    static Live open(String who, String query) throws Exception {
        HttpResponse<String> r = c.get(who, "/console/audit/live" + query);
        assertEquals(200, r.statusCode(), r.body());
        String html = r.body();
        String session = attr(html, "live-events", "data-session");
        assertNotNull(session, html);
        return new Live(session, attr(html, "live-events", "data-after"), html);
    }

    static HttpResponse<String> poll(String who, String session, String after) throws Exception {
        return c.get(
                who,
                "/console/audit/live/events?session=" + enc(session)
                        + (after == null || after.isEmpty() ? "" : "&after=" + enc(after)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void twentyPollsAreOneAuditReadAndBringEveryNewEventOfTheFilter() throws Exception {
        int readsBefore = c.auditReads("auditor").size();
        Live live = open("auditor", "?route=live-route");
        assertEquals(5, rows(live.html()).size(), "the newest events are there at once");
        assertTrue(live.html().contains("<script src=\"/console/assets/live.js\" defer></script>"), live.html());
        assertFalse(live.html().contains("<script>"), "no inline script");
        List<RecordedEvent> reads = c.auditReads("auditor");
        assertEquals(readsBefore + 1, reads.size());
        String detail = reads.get(reads.size() - 1).event().detailJson();
        assertTrue(detail.contains("live view") && detail.contains("live-route"), detail);

        Set<Long> expected = new HashSet<>();
        Set<Long> got = new HashSet<>();
        String after = live.after();
        for (int i = 0; i < 20; i++) {
            if (i % 4 == 0) {
                record("live-route", "new-" + i);
                record("other-route", "outside-" + i);
                c.flush();
                expected.add(c.stored("new-" + i).seq());
            }
            HttpResponse<String> r = poll("auditor", live.session(), after);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
            Map<String, Object> answer = Json.parseObject(r.body());
            assertEquals(Boolean.FALSE, answer.get("gap"));
            for (Object o : (List<Object>) answer.get("events")) {
                Map<String, Object> e = (Map<String, Object>) o;
                assertEquals("live-route", e.get("route"), "only the session's filter");
                assertEquals(Boolean.TRUE, e.get("deny"));
                assertEquals("拒否", e.get("outcomeLabel"));
                got.add(((java.math.BigDecimal) e.get("seq")).longValue());
            }
            after = (String) answer.get("after");
        }
        assertTrue(got.containsAll(expected), "every new event arrived: " + got + " vs " + expected);
        assertEquals(readsBefore + 1, c.auditReads("auditor").size(), "20 polls, still one AUDIT_READ");
    }

    @Test
    void aPollWithAnotherPersonsOrAnUnknownSessionIsRefusedAndAudited() throws Exception {
        Live live = open("auditor", "");
        HttpResponse<String> foreign = poll("auditor2", live.session(), live.after());
        assertEquals(403, foreign.statusCode(), foreign.body());
        assertTrue(foreign.body().contains("AUDIT_SESSION_INVALID"), foreign.body());
        String subject = c.subject("auditor2");
        assertNotNull(c.fx.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> "AUDIT_SESSION_INVALID".equals(e.event().reason())
                        && subject.equals(e.event().principal().subject())));

        HttpResponse<String> unknown = poll("auditor", "bm8tc3VjaC1zZXNzaW9u", null);
        assertEquals(403, unknown.statusCode());
        assertTrue(unknown.body().contains("AUDIT_SESSION_INVALID"), unknown.body());
        HttpResponse<String> none = c.get("auditor", "/console/audit/live/events");
        assertEquals(403, none.statusCode());

        HttpResponse<String> badCursor = poll("auditor", live.session(), "not a cursor");
        assertEquals(400, badCursor.statusCode());
        assertTrue(badCursor.body().contains("QUERY_INVALID"), badCursor.body());

        assertEquals(200, poll("auditor", live.session(), live.after()).statusCode(), "the owner still polls");
        assertEquals(403, c.get("operator", "/console/audit/live").statusCode());
        assertEquals(403, poll("operator", live.session(), null).statusCode());
    }

    @Test
    void theScriptIsServedFromTheGateway() throws Exception {
        HttpResponse<String> js = c.get("auditor", "/console/assets/live.js");
        assertEquals(200, js.statusCode());
        assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertTrue(js.body().contains("/console/audit/live") || js.body().contains("data-events"), "live.js");
        assertFalse(js.body().contains("innerHTML"), "text only, never markup");
    }
}

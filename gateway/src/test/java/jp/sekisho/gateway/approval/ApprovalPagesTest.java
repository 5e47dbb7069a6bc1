package jp.sekisho.gateway.approval;

import static jp.sekisho.gateway.approval.ConsoleClient.error;
import static jp.sekisho.gateway.approval.ConsoleClient.row;
import static jp.sekisho.gateway.approval.ConsoleClient.section;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The approvals pages on a real gateway over mutual TLS, as two secretariat members, an auditor and
 * an operator use them: a consultation recorded through the form with Japanese labels and era
 * dates, the two-person rule seen from both members' certificates, conditions given at the
 * decision, a withdrawal, refusals shown with their reason code and what to do next, role gating
 * and CSRF (each refusal audited), escaping, English. Routes, transfers and the preview of a
 * decision's effect on them: {@code jp.sekisho.gateway.transfer.ApprovalPagesEndToEndTest}.
 */
class ApprovalPagesTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static GatewayFixture fx;
    static final Map<String, ConsoleClient> people = new HashMap<>();
    static final Map<String, String> subjects = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        StringBuilder principals = new StringBuilder();
        Map<String, Credential> creds = new HashMap<>();
        for (String[] p : new String[][] {
            {"alice", "secretariat"}, {"bob", "secretariat"}, {"auditor", "auditor"}, {"operator", "operator"}
        }) {
            Credential c = pki.client(p[0]);
            creds.put(p[0], c);
            String subject = c.certificate().getSubjectX500Principal().getName();
            subjects.put(p[0], subject);
            principals
                    .append("  - { subject: \"")
                    .append(subject)
                    .append("\", roles: [")
                    .append(p[1])
                    .append("] }\n");
        }
        fx = GatewayFixture.start(
                dir.resolve("gw"),
                pki,
                "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                principals.toString());
        for (Map.Entry<String, Credential> e : creds.entrySet()) {
            people.put(
                    e.getKey(),
                    new ConsoleClient(e.getValue().pkcs12File(), pki.caFile(), path -> fx.url("admin", path)));
        }
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void aConsultationRecordedWithJapaneseLabelsAndEraDatesShowsAsTheCouncilWroteIt() throws Exception {
        HttpResponse<String> form = get("alice", ApprovalLinks.NEW);
        assertEquals(200, form.statusCode(), form.body());
        String html = form.body();
        assertTrue(html.contains("id=\"consultation-form\""), html);
        assertTrue(
                html.contains("value=\"birth_date\"") && html.contains("生年月日"),
                "data items offered by their Japanese label: " + html);
        assertTrue(html.contains("必須"), "required fields are marked");

        Map<String, List<String>> fields = consultation("８福第３０１号", "給付金の支給に係る宛名情報の提供");
        fields.put("dataItems", List.of("name", "birth_date", "account_number"));
        fields.put("validFrom", List.of("令和9年1月1日"));
        fields.put("validUntil", List.of("R9.12.31"));
        fields.put("deleteAfterDelivery", List.of("true"));
        fields.put("deletionReportDue", List.of("令和10年1月31日"));
        fields.put("conditionsText", List.of("作業は受託事業者の施設内に限る。\n再委託の際は書面で承認を得ること。"));
        fields.put("subcontractors", List.of("株式会社データ印刷\n\n 株式会社発送センター "));
        HttpResponse<String> created = post("alice", "/console/approvals", fields);
        assertEquals(303, created.statusCode(), created.body());
        String location = created.headers().firstValue("Location").orElseThrow();
        assertEquals(ApprovalLinks.detail("8福第301号") + "?done=approval-created", location);

        String detail = get("alice", location).body();
        assertTrue(detail.contains("id=\"notice\""), detail);
        assertTrue(detail.contains("<dd class=\"ref\">8福第301号</dd>"), "the reference as NFKC: " + detail);
        assertTrue(detail.contains("id=\"status\" class=\"badge badge-PENDING\""), detail);
        assertTrue(detail.contains("data-state=\"APPROVAL_PENDING\""), detail);
        assertTrue(detail.contains("生年月日") && detail.contains("(birth_date)") && detail.contains("口座番号"), detail);
        assertTrue(detail.contains("令和9年1月1日 (2027-01-01)") && detail.contains("令和9年12月31日 (2027-12-31)"), detail);
        assertTrue(detail.contains("<li>株式会社データ印刷</li>") && detail.contains("<li>株式会社発送センター</li>"), detail);
        assertTrue(detail.contains("305,115件"), "full-width digits read as a number: " + detail);
        String conditions = section(detail, "conditions");
        assertTrue(conditions.contains("作業は受託事業者の施設内に限る。\n再委託の際は"), conditions);
        assertTrue(conditions.contains("受領確認後、データを削除すること"), conditions);
        assertTrue(conditions.contains("令和10年1月31日 (2028-01-31)"), conditions);
        String usage = section(detail, "usage");
        assertTrue(usage.contains("<dd class=\"transfers\">0</dd>") && usage.contains("<dd class=\"records\">0</dd>"));
        assertTrue(detail.contains("id=\"decision-form\""), "the secretariat may decide: " + detail);
        assertFalse(detail.contains("id=\"pending\""), "nothing awaits confirmation yet");
        assertEquals(200, get("auditor", ApprovalLinks.detail("８福第３０１号")).statusCode(), "either form finds it");

        String list = get("auditor", "/console/approvals").body();
        assertTrue(list.contains("id=\"approvals\""), list);
        String row = row(list, "8福第301号");
        assertTrue(row.contains("badge-PENDING") && row.contains("承認待ち"), row);
        assertTrue(row.contains("令和9年1月1日 (2027-01-01)〜令和9年12月31日 (2027-12-31)"), row);
        assertTrue(row.contains("href=\"" + ApprovalLinks.detail("8福第301号") + "\""), row);
        assertTrue(
                row.contains("<td class=\"num transfers\">0</td>") && row.contains("<td class=\"num records\">0</td>"));

        HttpResponse<String> again = post("bob", "/console/approvals", consultation("8福第301号", "二重登録"));
        assertEquals(409, again.statusCode(), "one record for ８福第３０１号 and 8福第301号");
        assertTrue(error(again.body()).contains("APPROVAL_EXISTS"), again.body());
    }

    @Test
    void aFormThatCannotBeReadComesBackWithItsValuesAndTheFieldNamed() throws Exception {
        Map<String, List<String>> fields = consultation("R-DATE-1", "日付の誤り");
        fields.put("validFrom", List.of("令和9年13月1日"));
        HttpResponse<String> r = post("alice", "/console/approvals", fields);
        assertEquals(400, r.statusCode(), r.body());
        String e = error(r.body());
        assertTrue(e.contains("DATE_INVALID"), e);
        assertTrue(e.contains("承認期間の開始日") && e.contains("(validFrom)"), "the field is named: " + e);
        assertTrue(e.contains("存在しない日付です / no such date"), "bilingual: " + e);
        assertTrue(e.contains("令和9年1月1日、R9.1.1、2027-01-01"), "what to write instead: " + e);
        assertTrue(r.body().contains("value=\"日付の誤り\""), "the values are kept");
        assertTrue(r.body().contains("value=\"name\" checked"), "so are the ticked items");
        assertTrue(
                r.body()
                        .contains(
                                "name=\"validFrom\" value=\"令和9年13月1日\" placeholder=\"令和9年1月1日\" aria-required=\"true\""
                                        + " aria-invalid=\"true\""),
                "the field at fault is marked: " + r.body());
        assertNotNull(denied("DATE_INVALID", "alice"), "the refusal is audited");

        Map<String, List<String>> noItems = consultation("R-ITEMS-1", "項目なし");
        noItems.remove("dataItems");
        HttpResponse<String> r2 = post("alice", "/console/approvals", noItems);
        assertEquals(400, r2.statusCode());
        assertTrue(error(r2.body()).contains("INVALID_APPROVAL")
                && error(r2.body()).contains("(dataItems)"));
        assertEquals(404, get("alice", ApprovalLinks.detail("R-ITEMS-1")).statusCode(), "nothing was recorded");
    }

    @Test
    void theSecondMemberConfirmsWhatTheFirstProposed() throws Exception {
        create("R-TWO-1", "二人の確認");
        HttpResponse<String> preview = decide("alice", "R-TWO-1", "approve", "", "preview");
        assertEquals(200, preview.statusCode(), preview.body());
        String effect = section(preview.body(), "effect");
        assertTrue(effect.contains("第二の委員の確認が必要"), effect);
        assertTrue(effect.contains("承認待ち → 承認"), effect);
        assertTrue(effect.contains("この承認に結び付いた経路はありません"), effect);
        assertTrue(preview.body().contains("<option value=\"approve\" selected>"), "the form is kept for the decision");

        HttpResponse<String> proposed = decide("alice", "R-TWO-1", "approve", "第12回審議会で承認", "decide");
        assertEquals(303, proposed.statusCode(), proposed.body());
        assertTrue(proposed.headers().firstValue("Location").orElse("").endsWith("?done=approval-awaiting"));

        String waiting = get("alice", ApprovalLinks.detail("R-TWO-1")).body();
        String pending = section(waiting, "pending");
        assertTrue(pending.contains("第二の委員の確認待ち"), pending);
        assertTrue(
                pending.contains(subjects.get("alice")) && pending.contains("「承認」"), "who proposed what: " + pending);
        assertTrue(waiting.contains("id=\"confirm-form\""), waiting);
        assertTrue(waiting.contains("badge-PENDING"), "nothing in force before the confirmation");

        HttpResponse<String> own = people.get("alice").confirm("R-TWO-1");
        assertEquals(403, own.statusCode(), own.body());
        String e = error(own.body());
        assertTrue(e.contains("SAME_PERSON") && e.contains("同一人物による確認"), e);
        assertTrue(e.contains("別の事務局員"), "what to do next: " + e);
        assertNotNull(denied("SAME_PERSON", "alice"));

        HttpResponse<String> confirmed = people.get("bob").confirm("R-TWO-1");
        assertEquals(303, confirmed.statusCode(), confirmed.body());
        assertTrue(confirmed.headers().firstValue("Location").orElse("").endsWith("?done=approval-confirmed"));
        String now = get("auditor", ApprovalLinks.detail("R-TWO-1")).body();
        assertTrue(now.contains("id=\"status\" class=\"badge badge-APPROVED\""), now);
        assertTrue(now.contains("data-state=\"IN_FORCE\""), now);
        assertFalse(now.contains("id=\"pending\""), now);
        String history = section(now, "history");
        assertTrue(history.contains(subjects.get("alice")) && history.contains(subjects.get("bob")), history);
        assertTrue(history.contains("第12回審議会で承認") && history.contains("承認待ち → 承認"), history);
        assertTrue(
                Pattern.compile("<td class=\"at\">20\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d</td>")
                        .matcher(history)
                        .find(),
                "each time in JST, seconds: " + history);
    }

    @Test
    void conditionsGivenAtTheMeetingAreShownToTheConfirmerAndThenInForce() throws Exception {
        create("R-COND-1", "条件付き");
        HttpResponse<String> none = decide("alice", "R-COND-1", "approve-with-conditions", "条件付きで承認", "decide");
        assertEquals(400, none.statusCode(), none.body());
        assertTrue(error(none.body()).contains("CONDITIONS_REQUIRED"), none.body());
        assertTrue(error(none.body()).contains("会議で付された条件"), "what to do next: " + none.body());

        HttpResponse<String> proposed = people.get("alice")
                .post(
                        ApprovalLinks.decision("R-COND-1"),
                        Map.of(
                                "decision", List.of("approve-with-conditions"),
                                "reason", List.of("第13回審議会"),
                                "conditionsText", List.of("年1回、作業状況を報告すること。"),
                                "action", List.of("decide")));
        assertEquals(303, proposed.statusCode(), proposed.body());
        String waiting = get("bob", ApprovalLinks.detail("R-COND-1")).body();
        assertTrue(section(waiting, "pending").contains("年1回、作業状況を報告すること。"), "the confirmer sees them");

        assertEquals(303, people.get("bob").confirm("R-COND-1").statusCode());
        String now = get("alice", ApprovalLinks.detail("R-COND-1")).body();
        assertTrue(now.contains("badge-APPROVED_WITH_CONDITIONS"), now);
        assertTrue(section(now, "conditions").contains("年1回、作業状況を報告すること。"), now);
        assertTrue(section(now, "history").contains("年1回、作業状況を報告すること。"), "kept with the decision");
    }

    @Test
    void aPendingRecordEnteredByMistakeIsWithdrawnWithItsReasonKept() throws Exception {
        create("R-WD-1", "誤登録");
        String form = get("alice", ApprovalLinks.detail("R-WD-1")).body();
        assertTrue(form.contains("<option value=\"withdraw\">取り下げ</option>"), form);
        HttpResponse<String> r = decide("alice", "R-WD-1", "withdraw", "番号の入力誤りのため", "decide");
        assertEquals(303, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Location").orElse("").endsWith("?done=approval-decided"));
        String now = get("auditor", ApprovalLinks.detail("R-WD-1")).body();
        assertTrue(now.contains("id=\"status\" class=\"badge badge-WITHDRAWN\""), now);
        assertTrue(section(now, "history").contains("番号の入力誤りのため"), now);
        assertTrue(section(now, "history").contains("承認待ち → 取り下げ"), now);
        HttpResponse<String> again = decide("alice", "R-WD-1", "approve", "やはり承認", "decide");
        assertEquals(409, again.statusCode());
        assertTrue(error(again.body()).contains("APPROVAL_FINAL"), again.body());
    }

    @Test
    void aRefusedDecisionSaysWhyAndWhatToDoWithTheFormKept() throws Exception {
        create("R-REFUSE-1", "拒否の表示");
        HttpResponse<String> noReason = decide("alice", "R-REFUSE-1", "reject", "", "decide");
        assertEquals(400, noReason.statusCode(), noReason.body());
        assertTrue(error(noReason.body()).contains("REASON_REQUIRED"), noReason.body());
        assertTrue(noReason.body().contains("<option value=\"reject\" selected>"), "the choice is kept");

        HttpResponse<String> illegal = decide("alice", "R-REFUSE-1", "suspend", "誤って停止", "decide");
        assertEquals(409, illegal.statusCode(), illegal.body());
        String e = error(illegal.body());
        assertTrue(e.contains("ILLEGAL_TRANSITION") && e.contains("一時停止は承認中のときだけ"), e);
        assertTrue(illegal.body().contains(">誤って停止</textarea>"), "the reason is kept");
        assertNotNull(denied("ILLEGAL_TRANSITION", "alice"));

        HttpResponse<String> previewIllegal = decide("alice", "R-REFUSE-1", "reinstate", "", "preview");
        assertEquals(409, previewIllegal.statusCode());
        assertTrue(error(previewIllegal.body()).contains("ILLEGAL_TRANSITION"), previewIllegal.body());

        HttpResponse<String> unknown = decide("alice", "R-REFUSE-1", "approve-all", "理由", "decide");
        assertEquals(400, unknown.statusCode());
        assertTrue(error(unknown.body()).contains("UNKNOWN_DECISION"), unknown.body());
        assertTrue(error(unknown.body()).contains("条件付き承認 approve-with-conditions"), "the choices are named");
        assertTrue(
                get("alice", ApprovalLinks.detail("R-REFUSE-1")).body().contains("badge-PENDING"), "nothing changed");

        HttpResponse<String> none = get("auditor", ApprovalLinks.detail("R-NO-SUCH"));
        assertEquals(404, none.statusCode());
        assertTrue(error(none.body()).contains("APPROVAL_UNKNOWN"), none.body());
    }

    @Test
    void onlyTheSecretariatGetsTheFormsAndAPostFromAnotherRoleIsRefusedAndAudited() throws Exception {
        create("R-ROLE-1", "役割の確認");
        assertEquals(303, decide("alice", "R-ROLE-1", "approve", "承認", "decide").statusCode());
        for (String who : List.of("operator", "auditor")) {
            HttpResponse<String> page = get(who, ApprovalLinks.detail("R-ROLE-1"));
            assertEquals(200, page.statusCode(), page.body());
            assertTrue(page.body().contains("id=\"pending\""), "the pending decision is visible to " + who);
            assertFalse(page.body().contains("id=\"decision-form\""), who + " sees no decision form");
            assertFalse(page.body().contains("id=\"confirm-form\""), who + " sees no confirm form");
            assertFalse(page.body().contains("name=\"_csrf\""), who + " gets no form at all");
            assertFalse(get(who, "/console/approvals").body().contains("id=\"new-consultation\""));
            HttpResponse<String> newForm = get(who, ApprovalLinks.NEW);
            assertEquals(403, newForm.statusCode());
            assertTrue(newForm.body().contains("ROLE_REQUIRED"), newForm.body());
        }
        // the operator has no form to take a token from: admission refuses the role before any form is read
        HttpResponse<String> post = people.get("operator")
                .send(
                        ApprovalLinks.confirm("R-ROLE-1"),
                        Map.of("_csrf", List.of(people.get("alice").token()), "reason", List.of("運用担当による確認")));
        assertEquals(403, post.statusCode(), post.body());
        assertTrue(post.body().contains("ROLE_REQUIRED"), post.body());
        RecordedEvent e = fx.awaitEvent(
                EventType.REQUEST_DENIED,
                x -> "ROLE_REQUIRED".equals(x.event().reason())
                        && subjects.get("operator").equals(x.event().principal().subject())
                        && x.event().detailJson().contains("\"POST\""));
        assertNotNull(e, "the refused POST is audited");
        assertTrue(e.event().detailJson().contains("/confirm"), e.event().detailJson());
        assertTrue(get("alice", ApprovalLinks.detail("R-ROLE-1")).body().contains("id=\"pending\""), "not confirmed");
    }

    @Test
    void aFormWithoutThisMembersTokenIsRefused() throws Exception {
        create("R-CSRF-1", "トークン");
        Map<String, List<String>> revoke =
                Map.of("decision", List.of("revoke"), "reason", List.of("偽造"), "action", List.of("decide"));
        HttpResponse<String> none = people.get("alice").send(ApprovalLinks.decision("R-CSRF-1"), revoke);
        assertEquals(403, none.statusCode(), none.body());
        assertTrue(none.body().contains("CSRF_REJECTED"), none.body());
        Map<String, List<String>> withBobs = new HashMap<>(revoke);
        withBobs.put("_csrf", List.of(people.get("bob").token()));
        HttpResponse<String> other = people.get("alice").send(ApprovalLinks.decision("R-CSRF-1"), withBobs);
        assertEquals(403, other.statusCode(), "another member's token is not this member's");
        assertTrue(other.body().contains("CSRF_REJECTED"), other.body());
        assertNotNull(denied("CSRF_REJECTED", "alice"));
        assertTrue(get("alice", ApprovalLinks.detail("R-CSRF-1")).body().contains("badge-PENDING"), "nothing changed");
    }

    @Test
    void hostileValuesAreShownAsText() throws Exception {
        String ref = "R<i>\"1'";
        Map<String, List<String>> fields = consultation(ref, "<script>alert(1)</script>");
        fields.put("contractor", List.of("\"><img src=x onerror=alert(2)>"));
        fields.put("conditionsText", List.of("<b onmouseover=alert(3)>条件</b>"));
        HttpResponse<String> created = post("alice", "/console/approvals", fields);
        assertEquals(303, created.statusCode(), created.body());
        for (String html : List.of(
                get("alice", "/console/approvals").body(),
                get("alice", ApprovalLinks.detail(ref)).body())) {
            assertFalse(html.contains("<script>alert"), html);
            assertFalse(html.contains("<img src=x"), html);
            assertFalse(html.contains("<b onmouseover"), html);
            assertFalse(html.contains("<i>"), html);
            assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
        }
        String list = get("alice", "/console/approvals").body();
        assertTrue(
                list.contains("href=\"/console/approvals/R%3Ci%3E%221%27\""),
                "the reference is one path segment: " + list);
    }

    @Test
    void theEnglishSwitchShowsEnglishLabels() throws Exception {
        create("R-EN-1", "英語表示");
        String html =
                get("auditor", ApprovalLinks.detail("R-EN-1") + "?lang=en").body();
        assertTrue(html.contains("<html lang=\"en\">"), html);
        assertTrue(html.contains(">Pending</span>") && html.contains("Name (氏名)"), html);
        assertTrue(html.contains("Reference number") && html.contains("Decision history"), html);
        String list = get("auditor", "/console/approvals?lang=en").body();
        assertTrue(list.contains(">Validity</th>") && list.contains(">Pending</span>"), list);
        assertTrue(list.contains("令和"), "council dates stay in both calendars");
    }

    // --- helpers ---

    /** A complete consultation form (the token is added when it is posted). */
    static Map<String, List<String>> consultation(String ref, String title) {
        Map<String, List<String>> f = new HashMap<>();
        f.put("ref", List.of(ref));
        f.put("title", List.of(title));
        f.put("legalBasis", List.of("条例第10条第1項第2号"));
        f.put("departments", List.of("福祉部 福祉総務課"));
        f.put("contractor", List.of("株式会社九州データセンター"));
        f.put("dataItems", List.of("name", "address"));
        f.put("maxRecords", List.of("３０５，１１５"));
        f.put("validFrom", List.of("令和9年1月1日"));
        f.put("validUntil", List.of("2027-12-31"));
        f.put("meetingRef", List.of("令和8年度第3回審議会"));
        return f;
    }

    /** Records a consultation valid from a month ago for a year, in era form: in force once approved. */
    static void create(String ref, String title) throws Exception {
        Map<String, List<String>> f = consultation(ref, title);
        LocalDate today = LocalDate.now(JapaneseDates.TOKYO);
        f.put("validFrom", List.of(JapaneseDates.era(today.minusDays(30))));
        f.put("validUntil", List.of(JapaneseDates.era(today.plusDays(365))));
        HttpResponse<String> r = post("alice", "/console/approvals", f);
        assertEquals(303, r.statusCode(), r.body());
    }

    static HttpResponse<String> decide(String who, String ref, String decision, String reason, String action)
            throws Exception {
        return people.get(who).decide(ref, decision, reason, action);
    }

    static HttpResponse<String> post(String who, String path, Map<String, List<String>> fields) throws Exception {
        return people.get(who).post(path, fields);
    }

    static HttpResponse<String> get(String who, String path) throws Exception {
        return people.get(who).get(path);
    }

    /** The REQUEST_DENIED event with this reason for this member's certificate. */
    static RecordedEvent denied(String reason, String who) throws InterruptedException {
        return fx.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> reason.equals(e.event().reason())
                        && e.event().principal() != null
                        && subjects.get(who).equals(e.event().principal().subject()));
    }
}

package jp.sekisho.client.demo;

import static jp.sekisho.client.support.JapaneseText.japaneseFirst;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jp.sekisho.client.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job, as the README runs it (smaller file, free ports): every step, the refusal at the end,
 * then the Kurume payroll relay route against a real upstream (nginx when installed, then the JDK one).
 */
class DemoCommandTest {

    @TempDir
    Path tmp;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Every numbered step's title is "日本語 / English": Japanese before any Latin letter, then the English
     * after " / ", as everything a person reads.
     */
    private static void assertStepsJapaneseFirst(String out) {
        List<String> titles =
                out.lines().filter(l -> l.matches("\\[\\d+\\] .*")).toList();
        assertTrue(titles.size() >= 20, "the numbered steps: " + titles);
        for (String title : titles) {
            int slash = title.indexOf(" / ");
            assertTrue(
                    slash > 0
                            && japaneseFirst(title.substring(title.indexOf(' ') + 1, slash))
                            && title.substring(slash + 3).matches(".*[A-Za-z].*"),
                    "a step not Japanese first with its English beside: " + title);
        }
    }

    /** The payroll steps: the page and the upload through the relay, refusals, the audit events. */
    private static void assertPayrollCase(String out, int relayPort) {
        assertTrue(out.contains("1人第1042号") && out.contains("kurume-payroll-web"), "approval and relay route");
        assertTrue(
                out.contains("200 <title>" + PayrollSite.TITLE + "</title>  (Cache-Control: no-store)"),
                "the page through the relay, never cached");
        assertTrue(out.contains("-> 200 受け付けました / received: "), "the upload through the relay");
        assertTrue(out.contains("-> 403 PATH_NOT_ON_ROUTE"), "a path outside the route");
        assertTrue(out.contains("からの接続は、TLS の 1 バイト目より前にゲートウェイが切断しました"), "in Japanese first");
        assertTrue(
                out.indexOf("closed by the gateway before any TLS byte")
                        != out.lastIndexOf("closed by the gateway before any TLS byte"),
                "127.0.0.2 closed before TLS on the relay listener too");
        String audit = out.substring(out.lastIndexOf("RELAY_REQUEST per request"));
        assertTrue(audit.contains("RELAY_REQUEST") && audit.contains("kurume-payroll-web"), audit);
        // detail is a JSON string inside the event's JSON line: its quotes are escaped
        assertTrue(
                audit.replace("\\", "").contains("\"queryNames\":[\"staff\",\"month\"]"),
                "the query's names: " + audit);
        assertTrue(!audit.contains("DUMMY-0001"), "never the query's values: " + audit);
        assertTrue(out.contains("https://127.0.0.1:" + relayPort + "/payroll/"), "the relay's URL");
    }

    @Test
    void theDemoRunsTheHandOffAndEndsWithTheSuspendedRouteRefused() throws Exception {
        Path dir = tmp.resolve("demo");
        int relayPort = freePort();
        CliRun run = CliRun.of(
                "demo",
                "--dir",
                dir.toString(),
                "--records",
                "3000",
                "--transfer-port",
                Integer.toString(freePort()),
                "--admin-port",
                Integer.toString(freePort()),
                "--relay-port",
                Integer.toString(relayPort),
                "--upstream-port",
                Integer.toString(freePort()));
        assertEquals(0, run.code(), run.toString());
        String out = run.out();
        assertTrue(out.contains("SAME_PERSON"), "the two-person rule is shown");
        assertTrue(out.contains("signature: valid"), "the receipt verifies");
        assertTrue(out.contains("同一です / identical"), "byte for byte");
        assertTrue(
                out.contains("ゲートウェイのスプールは空です / the gateway's spool") && out.contains("is empty"),
                "nothing left behind");
        assertTrue(out.contains("TRANSFER_PURGED") && out.contains("OK: "), "audit trail and its verification");
        assertTrue(out.contains("closed by the gateway before any TLS byte"), "127.0.0.2 refused before TLS");
        assertTrue(out.contains("APPROVAL_SUSPENDED"), "the send after suspension is refused");
        assertPayrollCase(out, relayPort);
        assertStepsJapaneseFirst(out);
        assertTrue(out.contains("次に試すこと / Try next:"), "the closing hints");
        assertTrue(out.contains("廃棄報告を受理しました / deletion report accepted"), "the contractor's deletion report");
        String report = Files.readString(dir.resolve("report.html"));
        assertTrue(report.contains("運用状況報告 2総政第158号"), "the council report");
        assertTrue(report.contains("DUMMY 情報システム課長"), "the report names the deletion report's responsible person");
        assertTrue(
                !Files.isReadable(jp.sekisho.gateway.config.ReportSettings.DEFAULT_FONT)
                        || Files.size(dir.resolve("report.pdf")) > 1000,
                "its PDF where the font is installed");
        assertTrue(Files.exists(dir.resolve("certs/ca.pem")) && Files.exists(dir.resolve("certs/ca.key")));
        for (String name : new String[] {
            "gateway",
            "city-sender",
            "contractor",
            "contractor-enc",
            "secretariat",
            "secretariat2",
            "auditor",
            "operator"
        }) {
            assertTrue(Files.exists(dir.resolve("certs/" + name + ".p12")), name);
        }
        assertTrue(Files.exists(dir.resolve("gateway.yml")) && Files.exists(dir.resolve("routes.yml")));
        assertTrue(Files.exists(dir.resolve("inbox/kyufukin-furikomi.csv")));

        int relayAgain = freePort();
        CliRun again = CliRun.of(
                "demo",
                "--dir",
                dir.toString(),
                "--records",
                "10",
                "--transfer-port",
                Integer.toString(freePort()),
                "--admin-port",
                Integer.toString(freePort()),
                "--relay-port",
                Integer.toString(relayAgain),
                "--upstream-port",
                Integer.toString(freePort()),
                "--relay-upstream",
                "jdk");
        assertEquals(0, again.code(), "a second run replaces the previous demo: " + again);
        assertTrue(again.out().contains("JDK HttpsServer"), "the upstream of a machine without nginx");
        assertPayrollCase(again.out(), relayAgain);

        Path other = Files.createDirectories(tmp.resolve("not-a-demo"));
        Files.writeString(other.resolve("precious.txt"), "keep me");
        CliRun refused = CliRun.of("demo", "--dir", other.toString());
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(Files.exists(other.resolve("precious.txt")), "a folder that is not a demo is never deleted");
    }
}

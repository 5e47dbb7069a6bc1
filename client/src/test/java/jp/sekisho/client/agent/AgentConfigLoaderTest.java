package jp.sekisho.client.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** agent.yml as the agent reads it: defaults, relative paths, and one line naming line and field per mistake. */
class AgentConfigLoaderTest {

    @TempDir
    Path dir;

    @BeforeEach
    void files() throws IOException {
        Files.writeString(dir.resolve("me.p12"), "not read by the loader");
        Files.writeString(dir.resolve("enc.key"), "x");
        Files.writeString(dir.resolve("ca.pem"), "x");
        Files.createDirectories(dir.resolve("out/payroll"));
        Files.createDirectories(dir.resolve("in/reminders"));
    }

    AgentConfig load(String yaml) throws IOException {
        Path f = dir.resolve("agent.yml");
        Files.writeString(f, yaml);
        return AgentConfigLoader.load(f);
    }

    String error(String yaml) {
        CliException e = assertThrows(CliException.class, () -> load(yaml));
        assertEquals(ExitCode.USAGE, e.exitCode(), e.getMessage());
        return e.getMessage();
    }

    static final String BASE = "gateway: https://gw.example:8443\nidentity: me.p12\n";

    @Test
    void aSmallFileGetsTheDefaultsAndPathsFromItsFolder() throws IOException {
        AgentConfig c = load(BASE + "outboxes:\n  - route: payroll-2026\n    folder: out/payroll\n");
        assertEquals("https://gw.example:8443/", c.gateway().toString());
        assertEquals(dir.resolve("me.p12").toAbsolutePath().normalize(), c.identity());
        AgentConfig.Outbox o = c.outboxes().get(0);
        assertEquals(dir.resolve("out/payroll").toAbsolutePath().normalize(), o.folder());
        assertEquals(AgentConfig.Complete.RENAME, o.complete());
        assertEquals(AgentConfig.RecordsFrom.CSV, o.recordsFrom());
        assertEquals(256L * 1024 * 1024, o.chunkSize());
        assertEquals(Duration.ofSeconds(1), c.poll());
        assertEquals(Duration.ofSeconds(30), c.retryMax());
        assertNull(c.recipient());
        assertTrue(c.inboxes().isEmpty());
    }

    @Test
    void eachMistakeNamesItsLineAndField() {
        assertTrue(error("identity: me.p12\noutboxes: []\n").contains("line 1: gateway: "));
        assertTrue(error(BASE + "outboxes:\n  - route: Payroll\n    folder: out/payroll\n")
                .contains("line 4: outboxes[0].route: "));
        assertTrue(error(BASE + "outboxes:\n  - route: p\n    folder: out/nowhere\n")
                .contains("line 5: outboxes[0].folder: "));
        String marker =
                error(BASE + "outboxes:\n  - route: p\n    folder: out/payroll\n    records-from: done-marker\n");
        assertTrue(marker.contains("line 6: outboxes[0].records-from: ") && marker.contains("complete: done-marker"));
        assertTrue(error(BASE + "poll: 5ms\noutboxes:\n  - route: p\n    folder: out/payroll\n")
                .contains("line 3: poll: "));
        assertTrue(error(BASE + "outboxes:\n  - route: p\n    folder: out/payroll\n    chunk-size: 1KiB\n")
                .contains("line 6: outboxes[0].chunk-size: "));
        assertTrue(error(BASE + "gateway: https://other\noutboxes:\n  - route: p\n    folder: out/payroll\n")
                .contains("line 3: gateway: "));
        assertTrue(error(BASE).contains("neither outboxes nor inboxes"));
        assertTrue(error(BASE + "inboxes:\n  - route: r\n    folder: in/reminders\ntrust: ca.pem\n")
                .contains("key: "));
        assertTrue(error(BASE + "key: enc.key\noutboxes:\n  - route: p\n    folder: out/payroll\n")
                .contains("line 3: key: "));
        assertTrue(error(BASE + "outboxes: [ { route: p, folder: out/payroll, colour: blue } ]\n")
                .contains("outboxes[0].colour: ") /* unknown key */);
        assertTrue(error("gateway: [\n").contains("not valid YAML"));
    }

    @Test
    void noFolderMayLieInsideAnother() throws IOException {
        Files.createDirectories(dir.resolve("out/payroll/in"));
        String e = error(BASE + "key: enc.key\ntrust: ca.pem\n"
                + "outboxes:\n  - route: p\n    folder: out/payroll\n"
                + "inboxes:\n  - route: r\n    folder: out/payroll/in\n");
        assertTrue(
                e.contains("line 10: inboxes[0].folder: ") && e.contains("inside the folder of outboxes[0].folder"), e);
        String same = error(
                BASE + "outboxes:\n  - route: p\n    folder: out/payroll\n  - route: q\n    folder: out/payroll\n");
        assertTrue(
                same.contains("line 7: outboxes[1].folder: ") && same.contains("the same folder as outboxes[0].folder"),
                same);
    }
}

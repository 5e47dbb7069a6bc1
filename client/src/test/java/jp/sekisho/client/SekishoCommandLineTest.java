package jp.sekisho.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command line loads only the subcommand it is given (issue 18: start-up), yet its whole surface
 * stays what it was: the overview lists every command, help COMMAND works, an unknown command is a
 * usage error that names the nearest commands.
 */
class SekishoCommandLineTest {

    private static final List<String> ALL = List.of(
            "demo",
            "send",
            "receive",
            "agent",
            "seal",
            "open",
            "gateway",
            "approvals",
            "routes",
            "deletion-report",
            "report",
            "certs",
            "audit",
            "dummy",
            "help");

    @Test
    void aNamedCommandLoadsThatCommandOnly() {
        assertEquals(
                Set.of("send"),
                Sekisho.commandLine("send", "--help").getSubcommands().keySet());
        assertEquals(
                Set.of("approvals"),
                Sekisho.commandLine("approvals", "list").getSubcommands().keySet());
        assertEquals(Set.of(), Sekisho.commandLine("--version").getSubcommands().keySet());
        assertEquals(
                ALL, List.copyOf(Sekisho.commandLine("--help").getSubcommands().keySet()));
        assertEquals(ALL, List.copyOf(Sekisho.commandLine().getSubcommands().keySet()));
        assertEquals(
                ALL,
                List.copyOf(Sekisho.commandLine("help", "send").getSubcommands().keySet()));
    }

    @Test
    void theOverviewListsEveryCommand() {
        CliRun help = CliRun.of("--help");
        assertEquals(0, help.code(), help.toString());
        for (String name : ALL) {
            assertTrue(help.out().contains("\n  " + name + " "), name + " in\n" + help.out());
        }
        CliRun version = CliRun.of("--version");
        assertEquals(0, version.code(), version.toString());
        assertTrue(version.out().startsWith("sekisho "), version.toString());
    }

    @Test
    void helpNamesACommandsOptions() {
        CliRun help = CliRun.of("help", "send");
        assertEquals(0, help.code(), help.toString());
        assertTrue(help.out().contains("Usage: sekisho send") && help.out().contains("--route"), help.toString());
        CliRun direct = CliRun.of("send", "--help");
        assertEquals(help.out(), direct.out(), "help send and send --help print the same");
    }

    @Test
    void anUnknownCommandIsAUsageErrorNamingTheNearest() {
        CliRun r = CliRun.of("sned", "--file", "x");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("sned"), r.toString());
        assertTrue(r.err().contains("send"), "suggests send: " + r);
    }

    /**
     * Every command's and subcommand's help renders cleanly: picocli formats description lines with
     * String.format, so a bare percent sign ("below 90 %:") printed a "[picocli WARN] Could not
     * format" line on stderr in front of the help. picocli writes such warnings to System.err itself.
     */
    @Test
    void everyHelpRendersWithoutPicocliWarnings() {
        PrintStream saved = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        int[] rendered = {0};
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            render(Sekisho.commandLine("--help"), rendered);
        } finally {
            System.setErr(saved);
        }
        assertTrue(rendered[0] > ALL.size(), "rendered " + rendered[0] + " commands");
        assertEquals("", warnings.toString(StandardCharsets.UTF_8), "warnings while rendering help");
    }

    private static void render(CommandLine cl, int[] rendered) {
        assertTrue(!cl.getUsageMessage().isBlank(), cl.getCommandName());
        rendered[0]++;
        cl.getSubcommands().values().forEach(sub -> render(sub, rendered));
    }
}

package jp.sekisho.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

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
}

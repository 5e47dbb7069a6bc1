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
    void eachNameIsTheCommandsOwn() {
        Sekisho.subcommands()
                .forEach((name, type) -> assertEquals(
                        name, type.getAnnotation(CommandLine.Command.class).name(), type.getName()));
        assertEquals(ALL, List.copyOf(Sekisho.subcommands().keySet()));
    }

    /** The overview built from summaries reads exactly as the one built from every command in full. */
    @Test
    void theOverviewFromSummariesIsTheFullOne() {
        String full = Sekisho.fullCommandLine().getUsageMessage(CommandLine.Help.Ansi.OFF);
        for (String[] args : new String[][] {{"--help"}, {}, {"help"}, {"sned"}}) {
            assertEquals(
                    full, Sekisho.commandLine(args).getUsageMessage(CommandLine.Help.Ansi.OFF), String.join(" ", args));
        }
        CliRun overview = CliRun.of("--help");
        assertEquals(full, overview.out());
        CliRun helpFirst = CliRun.of("-h", "send", "--route", "r");
        assertEquals(0, helpFirst.code(), helpFirst.toString());
        assertEquals(full, helpFirst.out(), "-h before a command still prints the overview");
    }

    @Test
    void theVersionWithoutPicocliIsPicoclisVersion() {
        assertTrue(Sekisho.isVersionOnly("--version") && Sekisho.isVersionOnly("-V"));
        assertTrue(!Sekisho.isVersionOnly("--version", "send") && !Sekisho.isVersionOnly("send"));
        java.io.StringWriter picocli = new java.io.StringWriter();
        Sekisho.commandLine("--version").printVersionHelp(new java.io.PrintWriter(picocli, true));
        assertEquals(picocli.toString().strip(), Sekisho.versionLine());
    }

    /** A success returns from main only when no thread could keep the JVM running after it. */
    @Test
    void aLiveNonDaemonThreadMakesTheCommandExitInsteadOfReturn() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread worker = new Thread(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        worker.start();
        try {
            assertTrue(!Sekisho.onlyDaemonThreadsBesides(Thread.currentThread()));
        } finally {
            release.countDown();
            worker.join();
        }
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
            render(Sekisho.fullCommandLine(), rendered);
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

package jp.sekisho.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import jp.sekisho.audit.cli.AuditCommand;
import jp.sekisho.certs.cli.CertsCommand;
import jp.sekisho.cli.CliErrors;
import jp.sekisho.client.agent.AgentCommand;
import jp.sekisho.client.approval.ApprovalsCommand;
import jp.sekisho.client.deletion.DeletionReportCommand;
import jp.sekisho.client.demo.DemoCommand;
import jp.sekisho.client.dummy.DummyCommand;
import jp.sekisho.client.report.ReportCommand;
import jp.sekisho.client.route.RoutesCommand;
import jp.sekisho.client.transfer.ReceiveCommand;
import jp.sekisho.client.transfer.SendCommand;
import jp.sekisho.envelope.cli.OpenCommand;
import jp.sekisho.envelope.cli.SealCommand;
import jp.sekisho.gateway.GatewayCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sekisho} command: one entry point, one subcommand per job. */
@Command(
        name = "sekisho",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {
            "Sekisho (関所): a gateway that lets municipal personal data reach a contractor only as the "
                    + "privacy council approved it, and records every access.",
            "",
            "Run `sekisho COMMAND --help` for each command's options.",
            "Exit codes: 0 success, 1 refused by policy (reason code on stderr), 2 usage or input error, "
                    + "3 gateway or store unavailable. Set SEKISHO_DEBUG=1 for stack traces."
        })
// No `subcommands` in the annotation: picocli would build every command's model (a few hundred
// classes and their reflection) on every run; commandLine() adds only the one named (issue 18).
public final class Sekisho {

    /**
     * The subcommands, in the order help lists them. A class literal loads the class but runs
     * nothing; picocli reads its annotations only when it is added to the command line.
     */
    private static final Map<String, Class<?>> SUBCOMMANDS = subcommands(
            DemoCommand.class,
            SendCommand.class,
            ReceiveCommand.class,
            AgentCommand.class,
            SealCommand.class,
            OpenCommand.class,
            GatewayCommand.class,
            ApprovalsCommand.class,
            RoutesCommand.class,
            DeletionReportCommand.class,
            ReportCommand.class,
            CertsCommand.class,
            AuditCommand.class,
            DummyCommand.class,
            CommandLine.HelpCommand.class);

    public static void main(String[] args) {
        Timings.mainEntered();
        if (Boolean.getBoolean(CdsTraining.PROPERTY)) {
            System.exit(CdsTraining.run());
        }
        System.exit(run(args));
    }

    /** Runs a command line in-process and returns its exit code (tests call this). */
    public static int run(String... args) {
        return commandLine(args).execute(args);
    }

    /** Runs a command line in-process with its output and errors captured (tests). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cmd = commandLine(args);
        cmd.setOut(out);
        cmd.setErr(err);
        return cmd.execute(args);
    }

    /**
     * The command line for these arguments: with only the subcommand they name when they name one,
     * none for {@code --version}, every one otherwise (the overview, {@code help COMMAND}, and an
     * unknown command, whose error suggests the nearest names).
     */
    static CommandLine commandLine(String... args) {
        CommandLine cmd = new CommandLine(new Sekisho());
        String first = args.length > 0 ? args[0] : "";
        Class<?> named = "help".equals(first) ? null : SUBCOMMANDS.get(first);
        if (named != null) {
            cmd.addSubcommand(first, named);
        } else if (!first.equals("--version") && !first.equals("-V")) {
            SUBCOMMANDS.forEach(cmd::addSubcommand);
        }
        return CliErrors.configure(cmd);
    }

    private static Map<String, Class<?>> subcommands(Class<?>... classes) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (Class<?> c : classes) {
            byName.put(c.getAnnotation(Command.class).name(), c);
        }
        return Collections.unmodifiableMap(byName);
    }
}

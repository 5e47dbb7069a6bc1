package jp.sekisho.client;

import jp.sekisho.audit.cli.AuditCommand;
import jp.sekisho.certs.cli.CertsCommand;
import jp.sekisho.cli.CliErrors;
import jp.sekisho.client.approval.ApprovalsCommand;
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
        },
        subcommands = {
            DemoCommand.class,
            SendCommand.class,
            ReceiveCommand.class,
            SealCommand.class,
            OpenCommand.class,
            GatewayCommand.class,
            ApprovalsCommand.class,
            RoutesCommand.class,
            ReportCommand.class,
            CertsCommand.class,
            AuditCommand.class,
            DummyCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Sekisho {

    static {
        // Initialise logging once, on this thread: the gateway starts threads that log at once, and
        // SLF4J would otherwise warn that it replayed their early calls.
        org.slf4j.LoggerFactory.getILoggerFactory();
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line in-process and returns its exit code (tests call this). */
    public static int run(String... args) {
        return CliErrors.configure(new CommandLine(new Sekisho())).execute(args);
    }

    /** Runs a command line in-process with its output and errors captured (tests). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cmd = CliErrors.configure(new CommandLine(new Sekisho()));
        cmd.setOut(out);
        cmd.setErr(err);
        return cmd.execute(args);
    }
}

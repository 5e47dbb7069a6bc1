package jp.sekisho.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Turns exceptions from commands into one-line messages and the documented exit codes.
 * Unexpected exceptions still print one line; set SEKISHO_DEBUG=1 to see the stack trace.
 */
public final class CliErrors implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        String prefix = cmd.getCommandSpec().qualifiedName() + ": ";
        int code;
        if (ex instanceof CliException cli) {
            err.println(prefix + Printable.of(cli.getMessage())); // messages may echo user input
            code = cli.exitCode();
        } else {
            err.println(prefix + "error: " + Printable.of(String.valueOf(ex)));
            code = ExitCode.USAGE;
        }
        if (System.getenv("SEKISHO_DEBUG") != null) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /**
     * Applies the project's conventions to a command line: to it and to the subcommands it has now (the
     * help texts of picocli's own options are set on those only, so add subcommands first).
     */
    public static CommandLine configure(CommandLine cmd) {
        return cmd.setExecutionExceptionHandler(new CliErrors())
                .setResourceBundle(new HelpTexts())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setUsageHelpWidth(100)
                .setUsageHelpAutoWidth(true);
    }
}

package jp.sekisho.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;

/**
 * Turns exceptions from commands into one-line messages and the documented exit codes.
 * Unexpected exceptions still print one line; set SEKISHO_DEBUG=1 to see the stack trace.
 * A command line picocli cannot parse (an unknown command or option, a missing or malformed value)
 * gets the same shape: what is wrong in Japanese, then picocli's own words, then where to look next,
 * instead of picocli's English line followed by the whole usage text.
 */
public final class CliErrors implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    private static final Set<Character.UnicodeScript> JAPANESE =
            Set.of(Character.UnicodeScript.HIRAGANA, Character.UnicodeScript.KATAKANA, Character.UnicodeScript.HAN);

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

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        String message = Printable.of(String.valueOf(ex.getMessage())); // it echoes what was typed
        err.println(name + ": " + (hasJapanese(message) ? message : japanese(ex) + " " + message));
        if (ex instanceof CommandLine.UnmatchedArgumentException u) {
            List<String> near = suggestions(u);
            if (!near.isEmpty()) {
                err.println("候補 / did you mean: " + Printable.of(String.join(", ", near)));
            }
        }
        err.println("次に: `" + name + " --help` で使い方を確認してください。 next: see `" + name + " --help`.");
        if (System.getenv("SEKISHO_DEBUG") != null) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ExitCode.USAGE;
    }

    /** picocli's suggestions, or else the commands within a few edits of an unknown one. */
    static List<String> suggestions(CommandLine.UnmatchedArgumentException u) {
        List<String> picocli = u.getSuggestions();
        if (!picocli.isEmpty() || u.isUnknownOption() || u.getUnmatched().isEmpty()) {
            return picocli;
        }
        return NearestNames.of(
                u.getUnmatched().get(0),
                u.getCommandLine().getCommandSpec().subcommands().keySet());
    }

    /** What kind of mistake {@code ex} is, in Japanese. */
    static String japanese(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException u) {
            return u.isUnknownOption() ? "知らないオプションです。" : "知らないコマンドまたは余分な引数です。";
        }
        if (ex instanceof CommandLine.MissingParameterException) {
            return "必要なオプションまたは値がありません。";
        }
        if (ex instanceof CommandLine.MutuallyExclusiveArgsException) {
            return "同時には指定できないオプションです。";
        }
        if (ex instanceof CommandLine.OverwrittenOptionException) {
            return "同じオプションが 2 回指定されています。";
        }
        if (ex.getCause() != null) {
            return "値を読み取れません。";
        }
        String m = String.valueOf(ex.getMessage());
        if (m.startsWith("Missing required subcommand")) {
            return "サブコマンドを指定してください。";
        }
        return "コマンド行に誤りがあります。";
    }

    private static boolean hasJapanese(String s) {
        return s.codePoints().mapToObj(Character.UnicodeScript::of).anyMatch(JAPANESE::contains);
    }

    /**
     * Applies the project's conventions to a command line: to it and to the subcommands it has now (the
     * help texts of picocli's own options are set on those only, so add subcommands first).
     */
    public static CommandLine configure(CommandLine cmd) {
        CliErrors handler = new CliErrors();
        return cmd.setExecutionExceptionHandler(handler)
                .setParameterExceptionHandler(handler)
                .setResourceBundle(new HelpTexts())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setUsageHelpWidth(100)
                .setUsageHelpAutoWidth(true);
    }
}

package jp.sekisho.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A command line picocli cannot parse: Japanese first, the typed text escaped, where to look next, exit 2. */
class CliErrorsTest {

    @Command(
            name = "tool",
            subcommands = {Sub.class, Own.class})
    static final class Root implements Runnable {
        @Override
        public void run() {}
    }

    @Command(name = "sub")
    static final class Sub implements Runnable {
        @Option(names = "--records", required = true)
        long records;

        @Option(names = "--route")
        String route;

        @Override
        public void run() {}
    }

    /** A command that refuses its own arguments in both languages already. */
    @Command(name = "own")
    static final class Own implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "サブコマンドを指定してください。 a subcommand is required");
        }
    }

    private record Run(int code, String err) {}

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cmd = CliErrors.configure(new CommandLine(new Root()));
        cmd.setErr(new PrintWriter(err));
        return new Run(cmd.execute(args), err.toString());
    }

    @Test
    void anUnknownCommandSaysSoInJapaneseFirstAndPointsToHelp() {
        Run r = run("bogus");
        assertEquals(ExitCode.USAGE, r.code());
        assertTrue(r.err().startsWith("tool: 知らないコマンドまたは余分な引数です。 Unmatched argument"), r.err());
        assertTrue(r.err().contains("次に: `tool --help`"), r.err());
        assertFalse(r.err().contains("Usage:"), "no whole usage text after the error: " + r.err());
    }

    @Test
    void aCommandWithTwoLettersSwappedIsSuggested() {
        // picocli's letter-pair similarity finds nothing for this one
        Run r = run("sbu");
        assertTrue(r.err().contains("候補 / did you mean: sub"), r.err());
        assertEquals(0, NearestNames.distance("sned", "send") - 1);
        assertEquals(java.util.List.of(), NearestNames.of("gateway", java.util.List.of("send", "receive")));
    }

    @Test
    void aMisspeltOptionGetsSuggestions() {
        Run r = run("sub", "--records", "1", "--rout", "x");
        assertEquals(ExitCode.USAGE, r.code());
        assertTrue(r.err().startsWith("tool sub: 知らないオプションです。"), r.err());
        assertTrue(r.err().contains("候補 / did you mean: --route"), r.err());
    }

    @Test
    void missingMalformedAndRepeatedOptionsAreNamed() {
        assertTrue(run("sub").err().startsWith("tool sub: 必要なオプションまたは値がありません。"));
        assertTrue(run("sub", "--records", "x").err().startsWith("tool sub: 値を読み取れません。"));
        assertTrue(run("sub", "--records", "1", "--records", "2").err().startsWith("tool sub: 同じオプションが 2 回指定されています。"));
    }

    @Test
    void aMessageInJapaneseAlreadyGetsNoSecondLead() {
        Run r = run("own");
        assertEquals(ExitCode.USAGE, r.code());
        assertTrue(r.err().startsWith("tool own: サブコマンドを指定してください。 a subcommand is required\n"), r.err());
    }

    @Test
    void whatWasTypedIsEscapedForTheTerminal() {
        Run r = run("sub", "--records", "1", "--x\u001b[2J\r\nforged");
        assertFalse(r.err().contains("\u001b"), r.err());
        assertEquals(2, r.err().lines().count(), "the error and the next step, no forged line: " + r.err());
    }
}

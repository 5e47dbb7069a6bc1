package jp.sekisho.client.demo;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.client.Sekisho;

/**
 * The demo's printed output: numbered steps, indented remarks, and sekisho commands run in-process
 * and shown as a person would type them, followed by what they printed.
 */
final class DemoConsole {

    private final PrintWriter out;
    private final String base;
    private int step;

    /** Paths under {@code dir} are shown relative to it. */
    DemoConsole(PrintWriter out, DemoLayout d) {
        this.out = out;
        this.base = d.dir().toString() + "/";
    }

    /**
     * Starts the next numbered step, with an indented detail (may be null or several lines). The title
     * is "日本語 / English" on one line; a detail is Japanese first, English beside it or on the next line.
     */
    void step(String title, String detail) {
        out.printf("%n[%d] %s%n", ++step, title);
        if (detail != null && !detail.isBlank()) {
            detail.lines().forEach(l -> out.println("    " + l));
        }
        out.flush();
    }

    /** An indented remark under the current step: Japanese first, the English beside it or on the next line. */
    void say(String line) {
        line.lines().forEach(l -> out.println("    " + l));
        out.flush();
    }

    /** Runs a sekisho command as a person would, prints it and what it printed, and checks its exit code. */
    void cli(int expected, String... args) {
        cliOutput(expected, args);
    }

    /** As {@link #cli}, and returns what the command printed on stdout (a later step reads it). */
    String cliOutput(int expected, String... args) {
        out.println("  $ sekisho " + String.join(" ", shorten(args)));
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Sekisho.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
        o.toString().lines().forEach(l -> out.println("    " + l));
        e.toString().lines().forEach(l -> out.println("    " + l));
        out.flush();
        if (code != expected) {
            throw new CliException(
                    code == 0 ? ExitCode.REFUSED : code,
                    "デモの手順が失敗しました / demo step failed: sekisho " + args[0] + " " + args[1] + " exited " + code
                            + " (expected " + expected + ")");
        }
        return o.toString();
    }

    /** Paths inside the demo folder are shown relative to it, so the commands stay readable. */
    private List<String> shorten(String[] args) {
        List<String> shown = new ArrayList<>();
        for (String a : args) {
            shown.add(a.startsWith(base) ? a.substring(base.length()) : a.contains(" ") ? "'" + a + "'" : a);
        }
        return shown;
    }
}

package jp.sekisho.client;

import static jp.sekisho.client.support.JapaneseText.japaneseFirst;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Help is Japanese first, English beside it, like everything else a person reads: the line each
 * command is listed with (its header, else the first line of its description) and every option's
 * and parameter's description start with Japanese before any Latin letter. Walks every command of
 * the tree the product builds, picocli's own -h, -V and help command included, so a new command or
 * option written English only fails here.
 */
class HelpTextJapaneseFirstTest {

    @Test
    void everyCommandAndOptionStartsInJapanese() {
        List<String> englishFirst = new ArrayList<>();
        int[] checked = {0};
        walk(Sekisho.fullCommandLine(), englishFirst, checked);
        assertTrue(checked[0] > 300, "checked only " + checked[0] + " texts");
        assertEquals("", String.join("\n", englishFirst), "help texts without Japanese before the first Latin letter");
    }

    /** The overview (built from summaries, not the full commands) lists each command in Japanese first too. */
    @Test
    void theOverviewListsEveryCommandJapaneseFirst() {
        String overview = CliRun.of("--help").out();
        for (String name : Sekisho.subcommands().keySet()) {
            int at = overview.indexOf("\n  " + name + " ");
            assertTrue(at >= 0, name + " in\n" + overview);
            String line = overview.substring(at + name.length() + 3, overview.indexOf('\n', at + 1));
            assertTrue(japaneseFirst(line), name + " is listed English first: " + line);
        }
    }

    private static void walk(CommandLine cl, List<String> englishFirst, int[] checked) {
        CommandSpec spec = cl.getCommandSpec();
        String[] header = spec.usageMessage().header();
        String[] description = spec.usageMessage().description();
        String listed = header.length > 0 ? header[0] : description.length > 0 ? description[0] : "";
        check(spec.qualifiedName(), listed, englishFirst, checked);
        List<ArgSpec> args = new ArrayList<>(spec.options());
        args.addAll(spec.positionalParameters());
        for (ArgSpec arg : args) {
            String name = arg instanceof OptionSpec o ? o.longestName() : arg.paramLabel();
            String[] lines = arg.description();
            check(spec.qualifiedName() + " " + name, lines.length > 0 ? lines[0] : "", englishFirst, checked);
        }
        cl.getSubcommands().values().forEach(sub -> walk(sub, englishFirst, checked));
    }

    private static void check(String where, String text, List<String> englishFirst, int[] checked) {
        checked[0]++;
        if (!japaneseFirst(text)) {
            englishFirst.add(where + ": " + text);
        }
    }
}

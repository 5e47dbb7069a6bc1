package jp.sekisho.client.dummy;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sekisho dummy residents}: synthetic test data, so that nobody tests with real residents. */
@Command(
        name = "dummy",
        mixinStandardHelpOptions = true,
        description = "テストとデモ用の合成（ダミー）データを作ります。 Generates synthetic (dummy) data for tests and demos.",
        subcommands = DummyCommand.Residents.class)
public final class DummyCommand {

    @Command(
            name = "residents",
            mixinStandardHelpOptions = true,
            description = {
                "合成した住民の CSV を書きます（UTF-8、見出しは個人情報項目コード）。"
                        + " Writes a CSV of synthetic residents (UTF-8, header of data item codes).",
                "",
                "シードが同じなら内容も同じです。氏名はすべて DUMMY で始まり、銀行は架空（ダミー銀行）、電話番号は 00 で始まるので、実在の人と取り違えたり実在の人に届いたりする行はありません。",
                "",
                "Deterministic for a seed. Every name starts with DUMMY, banks are fictitious (ダミー銀行) and phone"
                        + " numbers start with 00, so no row can be mistaken for, or reach, a real person. Columns:"
                        + " resident_code, household_code, name, birth_date, sex, postal_code, address, phone,"
                        + " household_head, bank_name, bank_branch, account_type, account_number, account_holder."
            })
    static final class Residents implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(
                names = "--count",
                paramLabel = "N",
                defaultValue = "305115",
                description = "住民の件数 / Number of residents. Default: ${DEFAULT-VALUE} (the benefit mailing).")
        int count;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "FILE",
                description = "書き出す CSV ファイル / The CSV file to write.")
        Path out;

        @Option(
                names = "--seed",
                paramLabel = "N",
                defaultValue = "158",
                description = "乱数のシード / Random seed. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Override
        public Integer call() {
            if (count < 0) {
                throw CliException.usage("--count must be 0 or more, got " + count);
            }
            Path target = out.toAbsolutePath();
            if (!Files.isDirectory(target.getParent())) {
                throw CliException.usage("--out " + out + ": folder " + target.getParent() + " does not exist");
            }
            Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
            try {
                try (Writer w = new OutputStreamWriter(Files.newOutputStream(temp), StandardCharsets.UTF_8)) {
                    Writer buffered = new java.io.BufferedWriter(w, 1 << 16);
                    new ResidentGenerator(seed).write(buffered, count);
                    buffered.flush();
                }
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the temp name never looks like a finished file
                }
                throw CliException.usage("--out " + out + ": " + e.getMessage());
            }
            spec.commandLine()
                    .getOut()
                    .println("ダミー住民 " + count + " 件を書き出しました / wrote " + count + " dummy residents to " + out);
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        }
    }
}

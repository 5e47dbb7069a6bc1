package jp.sekisho.client.transfer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import jp.sekisho.cli.CliException;

/**
 * How many records a send declares, which the gateway checks against the approval: a CSV's lines
 * after its header (whose columns are checked against the route's data items first), or
 * {@code --records N} for anything else. Both given must agree.
 */
final class DeclaredRecords {

    private DeclaredRecords() {}

    /**
     * @param forcedCsv the file is read as CSV whatever its name ({@code --csv} or an items map, plain input only)
     * @param encrypted the input is an envelope sealed elsewhere ({@code --encrypted}), never read as CSV
     * @param given     {@code --records}, or null
     */
    static long of(
            Path source,
            boolean forcedCsv,
            boolean encrypted,
            Long given,
            ItemsMap map,
            TextEncoding encoding,
            RouteTerms terms) {
        boolean isCsv = !encrypted
                && (forcedCsv
                        || source.getFileName()
                                .toString()
                                .toLowerCase(Locale.ROOT)
                                .endsWith(".csv"));
        if (!isCsv) {
            if (given == null) {
                throw CliException.usage("--records N is required for "
                        + (encrypted ? "--encrypted" : "a file that is not CSV")
                        + " (the gateway checks it against the approval)");
            }
            if (given < 0) {
                throw CliException.usage("--records must be 0 or more");
            }
            return given;
        }
        try {
            map.check(CsvFile.header(source, encoding), terms);
            long counted = CsvFile.countRecords(source);
            if (given != null && given != counted) {
                throw CliException.usage("--records " + given + " but " + source + " holds " + counted
                        + " records (lines after the header)");
            }
            return counted;
        } catch (IOException e) {
            throw CliException.usage("cannot read " + source + ": " + e.getMessage());
        }
    }
}

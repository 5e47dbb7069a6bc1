package jp.sekisho.client.transfer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;

/**
 * Maps CSV column names to data item codes, for files whose header is not in codes (e.g.
 * {@code 氏名=name}). The file: UTF-8, one {@code column=item_code} per line, {@code #} comments
 * and blank lines ignored. A column that is not in the map stands for itself.
 */
public final class ItemsMap {

    private final Map<String, String> map;

    private ItemsMap(Map<String, String> map) {
        this.map = Map.copyOf(map);
    }

    public static ItemsMap identity() {
        return new ItemsMap(Map.of());
    }

    public static ItemsMap read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.usage("--items-map " + file + ": " + e.getMessage());
        }
        return parse(lines, file.toString());
    }

    static ItemsMap parse(List<String> lines, String source) {
        Map<String, String> m = new LinkedHashMap<>();
        int no = 0;
        for (String raw : lines) {
            no++;
            String line = raw.startsWith("\uFEFF") ? raw.substring(1) : raw;
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.lastIndexOf('=');
            if (eq <= 0 || eq == line.length() - 1) {
                throw new CliException(
                        ExitCode.USAGE,
                        "--items-map " + source + " line " + no + ": expected column=item_code, got '" + raw + "'");
            }
            String column = line.substring(0, eq).strip();
            String item = line.substring(eq + 1).strip();
            if (m.put(column, item) != null) {
                throw new CliException(
                        ExitCode.USAGE,
                        "--items-map " + source + " line " + no + ": column '" + column + "' is mapped twice");
            }
        }
        return new ItemsMap(m);
    }

    public String itemOf(String column) {
        return map.getOrDefault(column, column);
    }

    /**
     * Refuses (exit 1, {@code DATA_ITEM_NOT_APPROVED}) the first column whose data item the
     * approval does not cover, naming the column; an empty header is an input error.
     */
    public void check(List<String> header, RouteTerms terms) {
        if (header.isEmpty()) {
            throw CliException.usage("the CSV file has no header line (its columns must name data items)");
        }
        for (String column : header) {
            String item = itemOf(column);
            if (!terms.dataItems().contains(item)) {
                String how = item.equals(column) ? "" : " (mapped to '" + item + "')";
                throw new CliException(
                        ExitCode.REFUSED,
                        "DATA_ITEM_NOT_APPROVED: column '" + column + "'" + how
                                + " is not a data item approved by " + terms.approvalRef() + " for route "
                                + terms.route()
                                + " (approved: " + String.join(", ", terms.dataItems()) + ")"
                                + (item.equals(column)
                                        ? "; use --items-map to map column names to data item codes"
                                        : ""));
            }
        }
    }
}

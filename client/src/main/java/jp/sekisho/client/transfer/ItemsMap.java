package jp.sekisho.client.transfer;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;

/**
 * Maps CSV column names to data item codes, for files whose header is not in codes (e.g.
 * {@code 氏名=name}). The file: UTF-8 (or --encoding's), one {@code column=item_code} per line, {@code #} comments
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
        return read(file, TextEncoding.UTF_8);
    }

    /** The map in {@code encoding}; a byte not valid there is an input error naming its line. */
    public static ItemsMap read(Path file, TextEncoding encoding) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw CliException.usage("--items-map " + file + ": larger than " + MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw CliException.usage("--items-map " + file + ": " + e.getMessage());
        }
        Charset cs = encoding.charsetFor(bytes);
        // split on LF: in Shift_JIS/CP932 a trail byte is never 0x0A, so this is safe before decoding
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
                if (i < bytes.length || end > start) {
                    byte[] line = Arrays.copyOfRange(bytes, start, end);
                    lines.add(encoding.decodeLine(line, cs, "--items-map " + file + " line " + (lines.size() + 1)));
                }
                start = i + 1;
            }
        }
        return parse(lines, file.toString());
    }

    /** A map of column names is small; a larger file is not one. */
    static final int MAX_BYTES = 1 << 20;

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

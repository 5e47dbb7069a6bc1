package jp.sekisho.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code sh} blocks of docs/operations.md, in order, with the marker on their first line
 * ({@code #@ settings}, {@code #@ root}, {@code #@ systemd}, {@code #@ systemd-analyze}; the guide's
 * first section documents them). Other fenced blocks (yaml, text, ...) are not commands.
 */
final class GuideBlocks {

    enum Marker {
        NONE,
        SETTINGS,
        ROOT,
        SYSTEMD,
        SYSTEMD_ANALYZE;

        static Marker of(String firstLine) {
            String t = firstLine.strip();
            if (!t.startsWith("#@")) {
                return NONE;
            }
            return switch (t.substring(2).strip()) {
                case "settings" -> SETTINGS;
                case "root" -> ROOT;
                case "systemd" -> SYSTEMD;
                case "systemd-analyze" -> SYSTEMD_ANALYZE;
                default -> throw new IllegalArgumentException("unknown block marker: " + t);
            };
        }
    }

    /** One {@code sh} block: where it starts in the file (1-based line of its fence), marker, text. */
    record Block(int line, Marker marker, String text) {
        /** The lines after the marker line. */
        List<String> commands() {
            List<String> lines = text.lines().toList();
            return marker == Marker.NONE ? lines : lines.subList(1, lines.size());
        }
    }

    private GuideBlocks() {}

    static List<Block> read(Path md) throws IOException {
        List<String> lines = Files.readAllLines(md, StandardCharsets.UTF_8);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).equals("```sh")) {
                continue;
            }
            int start = i;
            StringBuilder b = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).equals("```"); i++) {
                b.append(lines.get(i)).append('\n');
            }
            if (i == lines.size()) {
                throw new IllegalArgumentException(md + ":" + (start + 1) + ": sh block never closed");
            }
            String text = b.toString();
            blocks.add(new Block(start + 1, Marker.of(text.lines().findFirst().orElse("")), text));
        }
        return blocks;
    }
}

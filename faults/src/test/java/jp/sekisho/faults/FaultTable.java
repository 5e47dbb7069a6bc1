package jp.sekisho.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The suite's result table (fault, point, outcome, recovery times), as Markdown. */
final class FaultTable {

    static final String START = "<!-- fault-table:start -->";
    static final String END = "<!-- fault-table:end -->";

    record Row(String id, String fault, String point, String outcome, Double backAfter, Double doneAfter) {}

    private final List<Row> rows = new ArrayList<>();
    private final String size;

    FaultTable(String size) {
        this.size = size;
    }

    synchronized void add(Row r) {
        rows.add(r);
    }

    synchronized String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("Payload ")
                .append(size)
                .append(" (random, a 32-byte marker every MiB); ")
                .append(rows.stream().filter(r -> r.outcome().startsWith("OK")).count())
                .append(" of ")
                .append(rows.size())
                .append(" points OK.\n\n");
        b.append("| # | fault | point | outcome | gateway back (s) | step done (s) |\n");
        b.append("| --- | --- | --- | --- | --- | --- |\n");
        for (Row r : rows) {
            b.append("| ")
                    .append(r.id())
                    .append(" | ")
                    .append(r.fault())
                    .append(" | ")
                    .append(r.point())
                    .append(" | ")
                    .append(r.outcome().replace('|', '/').replace('\n', ' '))
                    .append(" | ")
                    .append(fmt(r.backAfter()))
                    .append(" | ")
                    .append(fmt(r.doneAfter()))
                    .append(" |\n");
        }
        return b.toString();
    }

    private static String fmt(Double s) {
        return s == null ? "–" : String.format(Locale.ROOT, "%.1f", s);
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "# Fault suite\n\n" + markdown(), StandardCharsets.UTF_8);
    }

    /** Replaces what lies between the markers in DOC. */
    void replaceSection(Path doc) throws IOException {
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int a = text.indexOf(START);
        int z = text.indexOf(END);
        if (a < 0 || z < a) {
            throw new IllegalStateException(doc + " has no " + START + " ... " + END + " section");
        }
        Files.writeString(
                doc,
                text.substring(0, a + START.length()) + "\n" + markdown() + text.substring(z),
                StandardCharsets.UTF_8);
    }
}

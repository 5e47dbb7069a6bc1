package jp.sekisho.audit.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.read.CsvExporter;
import jp.sekisho.audit.read.ExportFormat;

/**
 * How a downloaded export ended: with its end record (complete), with the server's error record, or
 * neither (the stream was cut: a gateway killed or restarted, a connection reset). Reads the file
 * once, counting the events it holds; see docs/audit-export.md.
 */
sealed interface ExportEnd {

    long events();

    record Complete(long events) implements ExportEnd {}

    record Failed(String reason, String message, long events) implements ExportEnd {}

    record Cut(long events) implements ExportEnd {}

    static ExportEnd of(Path file, ExportFormat format) throws IOException {
        boolean torn = !endsWithNewline(file);
        long events = 0;
        String first = null;
        String last = null;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (first == null) {
                    first = line;
                }
                if (format == ExportFormat.JSONL ? line.startsWith("{\"record\":\"event\"") : isCsvEvent(line)) {
                    events++;
                }
                last = line;
            }
        }
        if (torn || last == null) {
            return new Cut(events);
        }
        return format == ExportFormat.JSONL ? jsonl(first, last, events) : csv(last, events);
    }

    private static ExportEnd jsonl(String header, String last, long events) {
        try {
            if (!Boolean.TRUE.equals(Json.parseObject(header).get("end_record"))) {
                return new Complete(events); // from a gateway that wrote no end record: nothing to tell by
            }
            Map<String, Object> m = Json.parseObject(last);
            if ("end".equals(m.get("record")) && m.get("events") instanceof BigDecimal n && n.longValue() == events) {
                return new Complete(events);
            }
            if ("error".equals(m.get("record"))) {
                return new Failed(String.valueOf(m.get("reason")), String.valueOf(m.get("message")), events);
            }
        } catch (IllegalArgumentException e) {
            // not JSON: cut
        }
        return new Cut(events);
    }

    /** An event row starts with its time ("2026-12-04 21:20:19"); the header, end and error rows do not. */
    private static boolean isCsvEvent(String line) {
        return !line.isEmpty() && line.charAt(0) >= '0' && line.charAt(0) <= '9';
    }

    private static ExportEnd csv(String last, long events) {
        String[] cells = last.split(",", 4);
        if (cells.length > 1 && cells[0].equals(CsvExporter.END) && cells[1].equals(Long.toString(events))) {
            return new Complete(events);
        }
        if (cells.length > 2 && cells[0].equals(CsvExporter.ERROR)) {
            return new Failed(cells[2], "see the error row at the end of the file", events);
        }
        return new Cut(events);
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            if (f.length() == 0) {
                return false;
            }
            f.seek(f.length() - 1);
            return f.read() == '\n';
        }
    }
}

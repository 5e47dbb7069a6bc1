package jp.sekisho.audit.read;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.cli.Printable;

/**
 * CSV for people: what Excel opens correctly on a Japanese desktop. UTF-8 with a byte order mark
 * (without it Excel reads Shift_JIS and garbles every Japanese cell), one header row in Japanese and
 * English, one row per event with its time in Asia/Tokyo to the second, and a last row that says the
 * export is complete ({@value #END}, the number of events) or why it is not ({@value #ERROR}). No
 * checkpoint rows: proof travels in JSON Lines ({@link JsonlExporter}), which {@code audit verify
 * --file} checks; this file is for reading.
 *
 * <p>Text cells are rendered by {@link Printable} (controls and bidi overrides visible, so a subject
 * cannot forge a row or reverse a column), and a cell that a spreadsheet would take for a formula
 * (starting with {@code = + - @}, TAB or CR) gets a leading {@code '}.
 */
public final class CsvExporter implements ExportWriter {

    /** Excel's cue that the file is UTF-8. */
    public static final char BOM = '\uFEFF';

    public static final List<String> COLUMNS = List.of(
            "日時 (JST) / Time (JST)",
            "ノード / Node",
            "番号 / Seq",
            "種別 / Type",
            "結果 / Outcome",
            "理由 / Reason",
            "証明書の主体 / Subject",
            "シリアル番号 / Serial",
            "証明書SHA-256 / Cert SHA-256",
            "送信元IP / Source IP",
            "送信元ポート / Source port",
            "受付ポート / Listener port",
            "経路 / Route",
            "承認 / Approval",
            "転送 / Transfer",
            "バイト数 / Bytes",
            "ペイロードSHA-256 / Payload SHA-256",
            "要求ID / Request ID",
            "詳細 / Detail",
            "前のハッシュ / Previous hash",
            "ハッシュ / Hash");

    /** The header row as written (after the BOM). */
    public static final String HEADER = String.join(",", COLUMNS);

    /** First cell of the last row of a complete export; the second holds the number of events. */
    public static final String END = "終了 / end";

    /** First cell of the last row of an export the server could not finish: events, reason, message. */
    public static final String ERROR = "エラー / error";

    private final BufferedWriter out;

    public CsvExporter(OutputStream os) throws IOException {
        this.out = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
        out.write(BOM);
        out.write(HEADER);
        out.write("\r\n");
    }

    /** Not written: checkpoints are for verification, which reads JSON Lines. */
    @Override
    public void checkpoint(Checkpoint c) {}

    @Override
    public void event(RecordedEvent r) throws IOException {
        AuditEvent e = r.event();
        AuditPrincipal p = e.principal();
        row(
                JapaneseDates.time(r.time()),
                r.nodeId(),
                r.seq(),
                e.type(),
                e.outcome(),
                e.reason(),
                p == null ? null : p.subject(),
                p == null ? null : p.serial(),
                p == null ? null : p.sha256(),
                e.sourceIp(),
                e.sourcePort(),
                e.listenerPort(),
                e.routeId(),
                e.approvalRef(),
                e.transferId(),
                e.bytes(),
                e.payloadSha256(),
                e.requestId(),
                e.detailJson(),
                r.prevHash(),
                r.hash());
    }

    /** {@code 終了 / end,N,"N件 / N events"}: a reader (and {@code audit export}) tells a complete file by it. */
    @Override
    public void end(long events, long checkpoints) throws IOException {
        row(END, events, events + "件 / " + events + (events == 1 ? " event" : " events"));
    }

    /** {@code エラー / error,N,REASON,message}: the events before it were written, the rest were not. */
    @Override
    public void failed(String reason, String message, long events) throws IOException {
        row(ERROR, events, reason, message);
    }

    private void row(Object... cells) throws IOException {
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            if (cells[i] instanceof String text) {
                cell(forSpreadsheet(text));
            } else if (cells[i] != null) {
                cell(cells[i].toString());
            }
        }
        out.write("\r\n");
    }

    /** Outside text as a person may safely open it: see the class comment. */
    static String forSpreadsheet(String s) {
        if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
            return "'" + Printable.of(s);
        }
        return Printable.of(s);
    }

    private void cell(String s) throws IOException {
        boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
        if (!quote) {
            out.write(s);
            return;
        }
        out.write('"');
        out.write(s.replace("\"", "\"\""));
        out.write('"');
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }
}

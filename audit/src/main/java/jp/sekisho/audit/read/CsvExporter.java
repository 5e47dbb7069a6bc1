package jp.sekisho.audit.read;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.cli.Printable;

/**
 * RFC 4180 CSV with a header row. Checkpoint rows ({@code record=checkpoint}) fill node, seq, time,
 * hash and the signature columns, so the chain fields travel with the data here too.
 *
 * <p>CSV is opened by people in spreadsheets: text cells are rendered by {@link Printable} (controls and
 * bidi overrides visible, so a subject cannot forge a row or reverse a column), and a text cell that a
 * spreadsheet would take for a formula (starting with {@code = + - @}, TAB or CR) gets a leading
 * {@code '}. The JSON Lines export stays exact; this one is for reading.
 */
public final class CsvExporter implements ExportWriter {

    public static final String HEADER = "record,node,seq,time,type,outcome,reason,subject,serial,cert_sha256,"
            + "source_ip,source_port,listener_port,route,approval,transfer,bytes,payload_sha256,request_id,detail,"
            + "prev_hash,hash,key_id,algorithm,signature";

    private final BufferedWriter out;

    public CsvExporter(OutputStream os) throws IOException {
        this.out = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
        out.write(HEADER);
        out.write("\r\n");
    }

    @Override
    public void checkpoint(Checkpoint c) throws IOException {
        row(
                "checkpoint",
                c.nodeId(),
                c.seq(),
                c.time(),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                c.hash(),
                c.keyId(),
                c.algorithm(),
                c.signature());
    }

    @Override
    public void event(RecordedEvent r) throws IOException {
        AuditEvent e = r.event();
        AuditPrincipal p = e.principal();
        row(
                "event",
                r.nodeId(),
                r.seq(),
                r.time(),
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
                r.hash(),
                null,
                null,
                null);
    }

    /** {@code end} row: seq holds the number of events, detail both counts. */
    @Override
    public void end(long events, long checkpoints) throws IOException {
        Object[] cells = new Object[HEADER.split(",").length];
        cells[0] = "end";
        cells[2] = events;
        cells[19] = "{\"events\":" + events + ",\"checkpoints\":" + checkpoints + "}";
        row(cells);
    }

    /** {@code error} row: reason and, in detail, the message and the events written before it. */
    @Override
    public void failed(String reason, String message, long events) throws IOException {
        Object[] cells = new Object[HEADER.split(",").length];
        cells[0] = "error";
        cells[2] = events;
        cells[6] = reason;
        cells[19] = EventJson.error(reason, message, events);
        row(cells);
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

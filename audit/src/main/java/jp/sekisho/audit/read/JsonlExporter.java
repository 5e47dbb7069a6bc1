package jp.sekisho.audit.read;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.Checkpoint;

/**
 * JSON Lines: a header line, the checkpoints, one line per event, then an end (or error) line.
 * Verifiable offline; the format is described in docs/audit-export.md.
 */
public final class JsonlExporter implements ExportWriter {

    private final BufferedWriter out;
    private final StringBuilder line = new StringBuilder(1024);

    public JsonlExporter(OutputStream os, String headerJson) throws IOException {
        this.out = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
        out.write(headerJson);
        out.write('\n');
    }

    @Override
    public void checkpoint(Checkpoint cp) throws IOException {
        line.setLength(0);
        EventJson.checkpoint(line, cp);
        out.append(line).append('\n');
    }

    @Override
    public void signingKey(jp.sekisho.audit.keys.RegisteredKey key) throws IOException {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("record", jp.sekisho.audit.verify.ExportFileVerifier.KEY_RECORD);
        m.putAll(key.toJson());
        out.append(jp.sekisho.audit.json.Json.write(m)).append('\n');
    }

    @Override
    public void event(RecordedEvent e) throws IOException {
        line.setLength(0);
        EventJson.event(line, e);
        out.append(line).append('\n');
    }

    @Override
    public void end(long events, long checkpoints) throws IOException {
        out.append(EventJson.end(events, checkpoints)).append('\n');
    }

    @Override
    public void failed(String reason, String message, long events) throws IOException {
        out.append(EventJson.error(reason, message, events)).append('\n');
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }
}

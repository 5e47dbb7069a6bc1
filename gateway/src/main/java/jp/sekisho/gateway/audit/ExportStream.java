package jp.sekisho.gateway.audit;

import io.micronaut.http.MediaType;
import io.micronaut.http.server.types.files.StreamedFile;
import java.io.IOException;
import java.io.OutputStream;
import jp.sekisho.audit.read.ExportFormat;
import jp.sekisho.audit.read.ExportSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An opened export snapshot as an HTTP body, streamed in constant memory by a writer thread through
 * an {@link ExportPipe}. Shared by the audit API and the console's download link, so both stream the
 * same bytes and end the same way (an error record if the store fails mid-stream).
 */
final class ExportStream {

    private static final Logger LOG = LoggerFactory.getLogger(ExportStream.class);

    private ExportStream() {}

    /** Starts writing {@code snapshot} (which this closes when done) and returns the body to send. */
    static StreamedFile of(ExportSnapshot snapshot, ExportFormat format) {
        ExportPipe pipe = new ExportPipe(16);
        Thread writer = new Thread(
                () -> {
                    try (snapshot;
                            OutputStream out = pipe.sink) {
                        snapshot.writeTo(out);
                    } catch (IOException e) {
                        LOG.debug("audit export ended early: the client went away: {}", e.toString());
                    } catch (RuntimeException e) {
                        // the stream already ends with an error record naming this
                        LOG.warn("監査ログのエクスポートが途中で失敗しました / audit export failed mid-stream: {}", e.getMessage());
                    }
                },
                "sekisho-audit-export");
        writer.setDaemon(true);
        writer.start();
        return new StreamedFile(pipe.source, mediaType(format));
    }

    static MediaType mediaType(ExportFormat format) {
        return format == ExportFormat.JSONL ? new MediaType("application/x-ndjson") : new MediaType("text/csv");
    }
}

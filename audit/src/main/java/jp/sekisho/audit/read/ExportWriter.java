package jp.sekisho.audit.read;

import java.io.IOException;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.Checkpoint;

/** Streams an export: checkpoints first (few), then events in (node, sequence) order. */
public interface ExportWriter extends AutoCloseable {

    void checkpoint(Checkpoint cp) throws IOException;

    void event(RecordedEvent e) throws IOException;

    @Override
    void close() throws IOException;
}

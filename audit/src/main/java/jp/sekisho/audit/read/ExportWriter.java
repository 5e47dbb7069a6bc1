package jp.sekisho.audit.read;

import java.io.IOException;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.Checkpoint;

/**
 * Streams an export: checkpoints first (few), then events in (node, sequence) order, then one end
 * (or error) record.
 */
public interface ExportWriter extends AutoCloseable {

    void checkpoint(Checkpoint cp) throws IOException;

    void event(RecordedEvent e) throws IOException;

    /** A key of the registry, so an export carries the key set its checkpoints verify with (JSON Lines only). */
    default void signingKey(jp.sekisho.audit.keys.RegisteredKey key) throws IOException {}

    /** Closes a complete stream with its counts, so a reader tells it from one cut short. */
    void end(long events, long checkpoints) throws IOException;

    /** Closes a stream the server could not finish, saying why, instead of ending it silently. */
    void failed(String reason, String message, long events) throws IOException;

    @Override
    void close() throws IOException;
}

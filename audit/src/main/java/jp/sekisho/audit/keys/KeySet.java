package jp.sekisho.audit.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.chain.AuditSigningKey;

/**
 * The public keys a verification accepts, by key id. Keys from the registry (the store, the gateway's list, an
 * export) know their node; bare PEM keys do not, and the chains' own key events bind them to a node. Which node a
 * key signs for, and from which event on, is decided by the chains ({@code KeyBindings}), never by this set alone.
 */
public final class KeySet {

    /** @param nodes the nodes the registry has it for (one, normally); empty for a bare key */
    public record Entry(String keyId, PublicKey key, java.util.Set<String> nodes) {
        /** False when the registry binds the key to other nodes only. */
        public boolean mayServe(String node) {
            return nodes.isEmpty() || nodes.contains(node);
        }
    }

    private final Map<String, Entry> byId = new LinkedHashMap<>();
    private final List<RegisteredKey> rows = new ArrayList<>();
    private final String source;

    private KeySet(String source) {
        this.source = source;
    }

    /** The one key of {@code --key PUB.pem} (or a single-node store before registration). */
    public static KeySet of(PublicKey key, String source) {
        return ofKeys(List.of(key), source);
    }

    public static KeySet ofKeys(Collection<PublicKey> keys, String source) {
        KeySet s = new KeySet(source);
        for (PublicKey k : keys) {
            s.byId.putIfAbsent(AuditSigningKey.keyId(k), new Entry(AuditSigningKey.keyId(k), k, java.util.Set.of()));
        }
        return s;
    }

    /** Registry rows; each must also be found in its node's chain (else the verification names it a forgery). */
    public static KeySet ofRows(Collection<RegisteredKey> registered, String source) {
        KeySet s = new KeySet(source);
        for (RegisteredKey r : registered) {
            PublicKey k;
            try {
                k = r.publicKey();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // one key file shared by two node ids (one data-dir) is registered for both
            s.byId.computeIfAbsent(r.keyId(), id -> new Entry(id, k, new java.util.TreeSet<>()))
                    .nodes()
                    .add(r.nodeId());
            s.rows.add(r);
        }
        return s;
    }

    public Entry get(String keyId) {
        return byId.get(keyId);
    }

    /** Every public key of the set. */
    public List<PublicKey> keys() {
        return byId.values().stream().map(Entry::key).toList();
    }

    /** The registry rows this set came from (empty for bare keys). */
    public List<RegisteredKey> rows() {
        return List.copyOf(rows);
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    public int size() {
        return byId.size();
    }

    /** Where the keys came from, for messages. */
    public String source() {
        return source;
    }
}

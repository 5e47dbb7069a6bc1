package jp.sekisho.audit.verify;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.chain.ChainHasher;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.keys.KeySet;
import jp.sekisho.audit.verify.VerifyResult.Broken;
import jp.sekisho.audit.verify.VerifyResult.Kind;

/**
 * Checks hash chains against their own content, their links and the signed checkpoints. Pure: it
 * reads whatever iterator it is given (the store's cursor or an export file), in constant memory per
 * node, and names the first event that was modified, deleted, inserted or reordered.
 */
public final class AuditVerifier {

    /** How far from its place a moved event is still recognised as reordered rather than modified. */
    private static final int REORDER_WINDOW = 16;

    private final KeyBindings bindings;
    private final ChainHasher hasher = new ChainHasher();
    private final Map<String, TreeMap<Long, Checkpoint>> checkpoints = new HashMap<>();
    private final Map<String, NodeState> nodes = new HashMap<>();
    private long events;
    private long checkpointsMatched;

    private final boolean archivedStart;

    private AuditVerifier(KeySet keys, boolean archivedStart) {
        this.bindings = new KeyBindings(keys);
        this.archivedStart = archivedStart;
    }

    /** Verifies events (in sequence order per node) against checkpoints signed by {@code key}. */
    public static VerifyResult verify(Iterator<RecordedEvent> events, List<Checkpoint> checkpoints, PublicKey key) {
        return verify(events, checkpoints, key, false);
    }

    /** As {@link #verify(Iterator, List, KeySet, boolean, String)} with the one key {@code key}. */
    public static VerifyResult verify(
            Iterator<RecordedEvent> events, List<Checkpoint> checkpoints, PublicKey key, boolean archivedStart) {
        return verify(events, checkpoints, KeySet.of(key, "key " + AuditSigningKey.keyId(key)), archivedStart, null);
    }

    /**
     * @param keys          the public keys checkpoints may be signed with; which node each signs for, and from
     *                      which event on, the chains' key events decide ({@link KeyBindings})
     * @param archivedStart accept a chain whose first event is not #1 when a signed checkpoint seals the event just
     *                      before it: the case after old month partitions were detached and archived. Off by default,
     *                      since it also accepts a log whose oldest events were cut off at a checkpoint.
     * @param nodeFilter    the one node whose chain is given, or null for all: registry rows of other nodes are
     *                      then not looked for
     */
    public static VerifyResult verify(
            Iterator<RecordedEvent> events,
            List<Checkpoint> checkpoints,
            KeySet keys,
            boolean archivedStart,
            String nodeFilter) {
        AuditVerifier v = new AuditVerifier(keys, archivedStart);
        Broken b = v.loadCheckpoints(checkpoints);
        if (b != null) {
            return b;
        }
        while (events.hasNext()) {
            b = v.accept(events.next());
            if (b != null) {
                return b;
            }
        }
        return v.finish(nodeFilter);
    }

    private Broken loadCheckpoints(List<Checkpoint> list) {
        for (Checkpoint cp : list) {
            Broken bad = bindings.signature(cp);
            if (bad != null) {
                return bad;
            }
            if (checkpoints.computeIfAbsent(cp.nodeId(), n -> new TreeMap<>()).put(cp.seq(), cp) != null) {
                return new Broken(
                        cp.nodeId(),
                        cp.seq(),
                        Kind.BAD_CHECKPOINT,
                        "two checkpoints for " + cp.nodeId() + "#" + cp.seq());
            }
        }
        return null;
    }

    private Broken accept(RecordedEvent e) {
        NodeState s = nodes.computeIfAbsent(e.nodeId(), n -> start(n, e.seq()));
        String where = e.nodeId() + "#" + e.seq();
        if (s.missing > 0) {
            // one event of lookahead tells a deletion from a swap
            if (e.seq() == s.missing) {
                return new Broken(
                        e.nodeId(),
                        e.seq(),
                        Kind.REORDERED,
                        "event " + where + " appears after event " + e.nodeId() + "#" + s.lastSeq);
            }
            return deleted(e.nodeId(), s);
        }
        String computed = hasher.hash(e.prevHash(), e.nodeId(), e.seq(), e.time(), e.event());
        if (!computed.equals(e.hash())) {
            for (int d = 1; d <= REORDER_WINDOW; d++) {
                for (long cand : new long[] {e.seq() + d, e.seq() - d}) {
                    if (cand > 0
                            && hasher.hash(e.prevHash(), e.nodeId(), cand, e.time(), e.event())
                                    .equals(e.hash())) {
                        return new Broken(
                                e.nodeId(),
                                e.seq(),
                                Kind.REORDERED,
                                "event " + where + " was written as " + e.nodeId() + "#" + cand);
                    }
                }
            }
            return new Broken(e.nodeId(), e.seq(), Kind.MODIFIED, "event " + where + " does not match its hash");
        }
        if (e.seq() == s.lastSeq) {
            return new Broken(e.nodeId(), e.seq(), Kind.INSERTED, "a second event numbered " + where);
        }
        if (e.seq() < s.lastSeq) {
            return new Broken(
                    e.nodeId(),
                    e.seq(),
                    Kind.REORDERED,
                    "event " + where + " appears after event " + e.nodeId() + "#" + s.lastSeq);
        }
        if (e.seq() > s.lastSeq + 1) {
            s.missing = s.lastSeq + 1;
            s.missingUntil = e.seq() - 1;
        } else if (!e.prevHash().equals(s.lastHash)) {
            if (s.lastSeq == 0) {
                return new Broken(e.nodeId(), e.seq(), Kind.INSERTED, "event " + where + " does not start a chain");
            }
            return new Broken(
                    e.nodeId(),
                    s.lastSeq,
                    Kind.MODIFIED,
                    "event " + e.nodeId() + "#" + s.lastSeq + " is not the event that " + where
                            + " links to (modified and re-hashed, or replaced)");
        }
        Broken key = bindings.event(e);
        if (key != null) {
            return key;
        }
        TreeMap<Long, Checkpoint> cps = checkpoints.get(e.nodeId());
        Checkpoint cp = cps == null ? null : cps.get(e.seq());
        if (cp != null) {
            Broken unbound = bindings.binding(cp);
            if (unbound != null) {
                return unbound;
            }
            if (!cp.hash().equals(e.hash())) {
                return new Broken(
                        e.nodeId(),
                        e.seq(),
                        Kind.MODIFIED,
                        "event " + where + " or an event before it differs from what the signed checkpoint sealed");
            }
            checkpointsMatched++;
        }
        s.lastSeq = e.seq();
        s.lastHash = e.hash();
        events++;
        return null;
    }

    private VerifyResult finish(String nodeFilter) {
        for (Map.Entry<String, NodeState> n : nodes.entrySet()) {
            if (n.getValue().missing > 0) {
                return deleted(n.getKey(), n.getValue());
            }
        }
        List<String> names = new ArrayList<>(checkpoints.keySet());
        names.sort(null);
        for (String node : names) {
            NodeState s = Objects.requireNonNullElseGet(nodes.get(node), NodeState::new);
            Checkpoint last = checkpoints.get(node).lastEntry().getValue();
            if (last.seq() > s.lastSeq) {
                return new Broken(
                        node,
                        s.lastSeq + 1,
                        Kind.DELETED,
                        "events " + node + "#" + (s.lastSeq + 1) + ".." + last.seq()
                                + " are missing (a signed checkpoint seals #" + last.seq() + ")");
            }
        }
        long total = 0;
        for (Map.Entry<String, TreeMap<Long, Checkpoint>> n : checkpoints.entrySet()) {
            NodeState s = nodes.get(n.getKey());
            total += n.getValue()
                    .tailMap(s == null ? 0 : s.startSeq, s != null && s.startSeq > 0)
                    .size(); // sealing archived events: not checked
        }
        if (checkpointsMatched != total) {
            return new Broken(
                    names.isEmpty() ? "" : names.get(0),
                    0,
                    Kind.BAD_CHECKPOINT,
                    (total - checkpointsMatched) + " checkpoint(s) match no event");
        }
        // only a whole chain must name every key: a month or a stretch of it may lie before the key's event
        Broken forged = bindings.registry(nodes.keySet(), nodeFilter, !archivedStart);
        if (forged != null) {
            return forged;
        }
        return new VerifyResult.Ok(events, checkpointsMatched, bindings.notes());
    }

    private static Broken deleted(String node, NodeState s) {
        String range = s.missing == s.missingUntil ? "#" + s.missing : "#" + s.missing + "..#" + s.missingUntil;
        return new Broken(node, s.missing, Kind.DELETED, "event(s) " + node + range + " missing");
    }

    /** Where a node's chain starts: #1 from genesis, or after the signed checkpoint before an archived gap. */
    private NodeState start(String node, long firstSeq) {
        NodeState s = new NodeState();
        TreeMap<Long, Checkpoint> cps = checkpoints.get(node);
        Checkpoint anchor = cps == null ? null : cps.get(firstSeq - 1);
        if (archivedStart && firstSeq > 1 && anchor != null) {
            s.lastSeq = anchor.seq();
            s.lastHash = anchor.hash();
            s.startSeq = anchor.seq();
            checkpointsMatched++;
        }
        return s;
    }

    private static final class NodeState {
        long startSeq;
        long lastSeq;
        String lastHash = ChainHasher.GENESIS;
        long missing;
        long missingUntil;
    }
}

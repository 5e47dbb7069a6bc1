package jp.sekisho.audit.verify;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.keys.KeyEvents;
import jp.sekisho.audit.keys.KeySet;
import jp.sekisho.audit.keys.RegisteredKey;
import jp.sekisho.audit.verify.VerifyResult.Broken;
import jp.sekisho.audit.verify.VerifyResult.Kind;

/**
 * Which key may sign which node's checkpoints, as the chains themselves say: a node's AUDIT_KEY_REGISTERED binds
 * its key, each AUDIT_KEY_ROTATED hands over to the next from that event on. The key set only supplies public
 * keys; a checkpoint must be signed by a key of the set that its node's chain has bound at that event. Before a
 * node's first key event (a chain from before the registry) any key of the set not bound to another node counts.
 */
final class KeyBindings {

    private final KeySet keys;
    /** node → the key its chain has bound so far */
    private final Map<String, String> current = new HashMap<>();
    /** node → every key its chain has named */
    private final Map<String, Set<String>> named = new HashMap<>();

    private final List<String> notes = new ArrayList<>();

    KeyBindings(KeySet keys) {
        this.keys = keys;
    }

    /** Up front, for every checkpoint: signed by a key of the set, not another node's, validly. */
    Broken signature(Checkpoint cp) {
        String at = cp.nodeId() + "#" + cp.seq();
        KeySet.Entry e = keys.get(cp.keyId());
        if (e == null) {
            return bad(
                    cp,
                    "checkpoint at " + at + " is signed by key " + cp.keyId()
                            + " which is not registered for node " + cp.nodeId() + " (not among the keys of "
                            + keys.source()
                            + ")");
        }
        if (!e.mayServe(cp.nodeId())) {
            return bad(
                    cp,
                    "checkpoint at " + at + " is signed by key " + cp.keyId() + " which is not registered for node "
                            + cp.nodeId() + " (it is the key of " + e.nodes() + ")");
        }
        if (!AuditSigningKey.ALGORITHM.equals(cp.algorithm()) || !AuditSigningKey.verify(e.key(), cp)) {
            return bad(cp, "checkpoint at " + at + " has an invalid signature");
        }
        return null;
    }

    /** When the checkpoint's event is reached: the key must be the one the node's chain has bound there. */
    Broken binding(Checkpoint cp) {
        String bound = current.get(cp.nodeId());
        if (bound != null && !bound.equals(cp.keyId())) {
            return bad(
                    cp,
                    "checkpoint at " + cp.nodeId() + "#" + cp.seq() + " is signed by key " + cp.keyId()
                            + " which is not registered for node " + cp.nodeId()
                            + " at that point (its chain names key "
                            + bound + ")");
        }
        return null;
    }

    /** Reads a key event of the chain (any other event passes). */
    Broken event(RecordedEvent e) {
        KeyEvents.KeyEvent k;
        try {
            k = KeyEvents.read(e.event());
        } catch (RuntimeException ex) {
            return new Broken(e.nodeId(), e.seq(), Kind.MODIFIED, "key event " + where(e) + " is unreadable");
        }
        if (k == null) {
            return null;
        }
        String node = e.nodeId();
        String bound = current.get(node);
        if (k.keyId() == null) {
            return new Broken(node, e.seq(), Kind.MODIFIED, "key event " + where(e) + " names no key");
        }
        if (!k.rotation()) {
            if (bound != null && !bound.equals(k.keyId())) {
                return new Broken(
                        node,
                        e.seq(),
                        Kind.BAD_CHECKPOINT,
                        "registration " + where(e) + " names key " + k.keyId() + " while the chain's key is " + bound
                                + ": a key changes only by audit rotate-key");
            }
            bind(node, k.keyId());
            return null;
        }
        return rotation(e, k, bound);
    }

    private Broken rotation(RecordedEvent e, KeyEvents.KeyEvent k, String bound) {
        String node = e.nodeId();
        PublicKey newKey;
        try {
            newKey = AuditSigningKey.publicKey(Base64.getDecoder().decode(k.publicKeySpki()));
        } catch (java.security.GeneralSecurityException | RuntimeException ex) {
            return new Broken(node, e.seq(), Kind.MODIFIED, "rotation " + where(e) + " carries no readable key");
        }
        if (!AuditSigningKey.keyId(newKey).equals(k.keyId())) {
            return new Broken(
                    node, e.seq(), Kind.MODIFIED, "rotation " + where(e) + ": its key is not key " + k.keyId());
        }
        boolean lost = k.oldKeyId() == null || KeyEvents.LOST.equals(k.oldKeyId());
        if (!lost && bound != null && !bound.equals(k.oldKeyId())) {
            return new Broken(
                    node,
                    e.seq(),
                    Kind.BAD_CHECKPOINT,
                    "rotation " + where(e) + " hands over from key " + k.oldKeyId() + " but the chain's key there is "
                            + bound);
        }
        String how;
        if (k.oldSignature() == null || lost) {
            how = "(old key lost: not signed)";
        } else {
            KeySet.Entry old = keys.get(k.oldKeyId());
            byte[] statement = KeyEvents.statement(node, k.oldKeyId(), k.keyId(), k.publicKeySpki());
            if (old == null) {
                how = "(signed by the old key; not checked: it is not among the keys of " + keys.source() + ")";
            } else if (AuditSigningKey.verifyStatement(old.key(), statement, k.oldSignature())) {
                how = "(signed by the old key)";
            } else {
                return new Broken(
                        node,
                        e.seq(),
                        Kind.BAD_CHECKPOINT,
                        "rotation " + where(e) + ": the old key " + k.oldKeyId() + "'s signature is invalid");
            }
        }
        notes.add("ROTATED: " + node + " key " + (lost ? "lost" : k.oldKeyId()) + " → " + k.keyId() + " at " + where(e)
                + " " + how);
        bind(node, k.keyId());
        return null;
    }

    /**
     * After the stream: every registry row of a verified node must be named by its chain, else it was added
     * beside the chain (a forgery). {@code strict} is off when chains may start after archived months, where
     * the naming event may lie.
     *
     * @param nodeFilter the one node verified, or null for all
     */
    Broken registry(Set<String> chains, String nodeFilter, boolean strict) {
        for (RegisteredKey r : keys.rows()) {
            if (nodeFilter != null && !nodeFilter.equals(r.nodeId())) {
                continue;
            }
            if (named.getOrDefault(r.nodeId(), Set.of()).contains(r.keyId())) {
                continue;
            }
            if (!strict) {
                notes.add("NOTE: key " + r.keyId() + " of node " + r.nodeId()
                        + " is registered outside the part of the chain given: its registration is not checked here");
                continue;
            }
            return new Broken(
                    r.nodeId(),
                    0,
                    Kind.BAD_CHECKPOINT,
                    "key " + r.keyId() + " is registered for node " + r.nodeId() + " but no AUDIT_KEY_REGISTERED or "
                            + "AUDIT_KEY_ROTATED event of " + (chains.contains(r.nodeId()) ? "its chain" : "any chain")
                            + " names it: a registration made outside the gateway (forged)");
        }
        return null;
    }

    List<String> notes() {
        return List.copyOf(notes);
    }

    private void bind(String node, String keyId) {
        current.put(node, keyId);
        named.computeIfAbsent(node, n -> new HashSet<>()).add(keyId);
    }

    private static String where(RecordedEvent e) {
        return e.nodeId() + "#" + e.seq();
    }

    private static Broken bad(Checkpoint cp, String message) {
        return new Broken(cp.nodeId(), cp.seq(), Kind.BAD_CHECKPOINT, message);
    }
}

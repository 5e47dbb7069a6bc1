package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * At start-up, reconciles this node's transfer rows with its spool folder, so that a crash at any
 * point leaves a state the gateway can go on from: an acknowledgment recorded is completed by its
 * purge; the offset trusted is min(file size, database offset), a file checked but not yet recorded
 * STORED goes back to uploading, and an upload whose last byte is in is checked again from its spool
 * file (STORED or REJECTED as its last PATCH would have made it); a transfer whose file is missing
 * ends, and every file no live transfer accounts for is deleted and recorded.
 */
final class SpoolRecovery {

    private final String node;
    private final TransferRepository repo;
    private final Spool spool;
    private final TransferEvents events;
    private final TransferEndings endings;
    private final Acknowledgments acks;
    private final EnvelopeGate gate;
    private final Clock clock;

    SpoolRecovery(
            String node,
            TransferRepository repo,
            Spool spool,
            TransferEvents events,
            TransferEndings endings,
            Acknowledgments acks,
            EnvelopeGate gate,
            Clock clock) {
        this.node = node;
        this.repo = repo;
        this.spool = spool;
        this.events = events;
        this.endings = endings;
        this.acks = acks;
        this.gate = gate;
        this.clock = clock;
    }

    void recover() {
        for (Transfer t : repo.acknowledgedOn(node)) {
            acks.purge(t, null); // the crash came between the acknowledgment and the purge
        }
        Set<String> live = new HashSet<>();
        for (Transfer t : repo.spooledOn(node)) {
            if (t.state() != TransferState.UPLOADING && acks.resume(t)) {
                continue; // acknowledged just before the crash: purged now
            }
            live.add(t.id());
            try {
                if (t.state() == TransferState.UPLOADING) {
                    recoverUpload(t);
                } else {
                    if (Files.deleteIfExists(spool.part(t.id()))) {
                        events.orphan(spool.part(t.id()), t);
                    }
                    if (spool.size(spool.stored(t.id())) != t.length()) {
                        endings.lost(t);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot recover spool file of " + t.id() + ": " + e.getMessage(), e);
            }
        }
        for (Path f : spool.files()) {
            String id = Spool.idOf(f);
            if (id == null || !live.contains(id)) {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                events.orphan(f, id == null ? null : repo.find(id).orElse(null));
            }
        }
    }

    private void recoverUpload(Transfer t) throws IOException {
        if (Files.exists(spool.stored(t.id()))) {
            spool.unpromote(t.id()); // checked, but the crash came before it was recorded STORED
        }
        long size = spool.size(spool.part(t.id()));
        if (size < 0) {
            endings.lost(t);
            return;
        }
        long trusted = Math.min(size, t.offset());
        if (size != trusted) {
            try (FileChannel ch = FileChannel.open(spool.part(t.id()), StandardOpenOption.WRITE)) {
                ch.truncate(trusted);
                ch.force(true);
            }
        }
        if (trusted != t.offset()) {
            Instant now = clock.instant();
            repo.advance(t.id(), trusted, now, t.expiresAt());
        }
        if (t.lengthKnown() && trusted == t.length() && t.sha256() != null) {
            // the last byte was in: the crash came during the envelope check or the promotion
            gate.recover(repo.find(t.id()).orElseThrow());
        }
    }
}

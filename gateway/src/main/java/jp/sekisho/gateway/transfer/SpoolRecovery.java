package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start-up, reconciles the transfer rows with the (shared) spool folder, so that a crash at any
 * point leaves a state the gateway can go on from: an acknowledgment recorded is completed by its
 * purge; the offset trusted is min(file size, database offset), a file checked but not yet recorded
 * STORED goes back to uploading, and an upload whose last byte is in is checked again from its spool
 * file (STORED or REJECTED as its last PATCH would have made it); a transfer whose file is missing
 * ends, and a file no transfer accounts for is deleted and recorded.
 *
 * <p>Other nodes may be running on the same spool: every transfer and every orphan file is handled
 * under its cluster lock, and one another node holds (a PATCH in progress, a creation between its
 * file and its row) is skipped. A file is an orphan only when no live transfer row exists for it.
 * With the spool's marker unreadable nothing is touched: with a mount gone every file looks missing.
 */
final class SpoolRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolRecovery.class);

    private final TransferRepository repo;
    private final Spool spool;
    private final SpoolGuard guard;
    private final TransferEvents events;
    private final TransferEndings endings;
    private final TransferLocks locks;
    private final Acknowledgments acks;
    private final EnvelopeGate gate;
    private final Clock clock;

    SpoolRecovery(
            TransferRepository repo,
            Spool spool,
            SpoolGuard guard,
            TransferEvents events,
            TransferEndings endings,
            TransferLocks locks,
            Acknowledgments acks,
            EnvelopeGate gate,
            Clock clock) {
        this.repo = repo;
        this.spool = spool;
        this.guard = guard;
        this.events = events;
        this.endings = endings;
        this.locks = locks;
        this.acks = acks;
        this.clock = clock;
        this.gate = gate;
    }

    void recover() {
        if (!guard.probe()) {
            LOG.error("スプールが使えないため起動時の照合を省きます / the spool is unavailable: start-up recovery skipped");
            return;
        }
        for (Transfer t : repo.acknowledged()) {
            busyOr(
                    t.id(),
                    locks.ifFree(
                            t.id(),
                            () -> current(t.id())
                                    .filter(now -> now.state() == TransferState.ACKNOWLEDGED)
                                    .ifPresent(now -> acks.purge(
                                            now, null)))); // the crash came between the acknowledgment and the purge
        }
        for (Transfer t : repo.spooled()) {
            busyOr(
                    t.id(),
                    locks.ifFree(
                            t.id(),
                            () -> current(t.id())
                                    .filter(now -> now.state().spooled())
                                    .ifPresent(this::recover)));
        }
        for (Path f : spool.files()) {
            String id = Spool.idOf(f);
            if (id == null) {
                delete(f, null);
            } else if (current(id).filter(t -> t.state().spooled()).isEmpty()) {
                // no live row: deleted only under the lock, so a creation (file first, then row) is never hit
                busyOr(id, locks.ifFree(id, () -> {
                    Optional<Transfer> row = current(id);
                    if (row.filter(t -> t.state().spooled()).isEmpty()) {
                        delete(f, row.orElse(null));
                    }
                }));
            }
        }
    }

    private Optional<Transfer> current(String id) {
        return repo.find(id);
    }

    private static void busyOr(String id, boolean done) {
        if (!done) {
            LOG.info("転送 {} は別ノードが処理中のため照合を省きます / transfer {} is busy on another node: left to it", id, id);
        }
    }

    private void delete(Path f, Transfer t) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        events.orphan(f, t);
    }

    private void recover(Transfer t) {
        if (t.state() != TransferState.UPLOADING && acks.resume(t)) {
            return; // acknowledged just before the crash: purged now
        }
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
            repo.advance(t.id(), t.offset(), trusted, now, t.expiresAt());
        }
        if (t.lengthKnown() && trusted == t.length() && t.sha256() != null) {
            // the last byte was in: the crash came during the envelope check or the promotion
            gate.recover(repo.find(t.id()).orElseThrow());
        }
    }
}

package jp.sekisho.audit.archive;

import java.nio.file.Path;
import java.time.Instant;

/** What {@code audit archive} did. */
public sealed interface ArchiveOutcome {

    /** Exported, verified, fsynced, then detached as {@code table}; recorded as AUDIT_ARCHIVED. */
    record Archived(String month, long rows, long checkpoints, Path file, String sha256, String table)
            implements ArchiveOutcome {}

    /**
     * The month was archived before (a re-run): nothing done, except recording the AUDIT_ARCHIVED event when the
     * earlier run was stopped between the detach and that record ({@code auditedNow}).
     */
    record AlreadyArchived(String month, Instant at, String out, String table, boolean auditedNow)
            implements ArchiveOutcome {}
}

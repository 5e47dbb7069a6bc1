package jp.sekisho.audit.archive;

/** The archive was refused before anything was detached: exit 1, the message says why in Japanese and English. */
public final class ArchiveRefused extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ArchiveRefused(String message) {
        super(message);
    }
}

package jp.sekisho.gateway.approval;

import java.text.Normalizer;
import java.util.Optional;
import jp.sekisho.gateway.input.Ids;

/**
 * Reference numbers as one record each, however they were typed: NFKC (full-width digits and
 * letters become ASCII, so {@code ８福第３０１号} and {@code 8福第301号} are one reference) and
 * trimmed. Every way in (create, each lookup, decide, confirm, the API path, the CLI) goes through
 * {@link #normalise}; a stored reference is never rewritten (its row is sealed, routes and
 * transfers name it), so lookups also match a reference stored before normalisation by its
 * normalised form (see {@link ApprovalService}).
 */
public final class RefNumbers {

    /** The longest reference a new consultation may have, after normalisation. */
    public static final int MAX_LENGTH = 64;

    /** What is read at all: NFKC may lengthen a string (㍻ becomes 平成), so the raw bound is looser. */
    private static final int MAX_RAW = 256;

    private RefNumbers() {}

    /**
     * NFKC and trimmed; null stays null. Input over 256 characters comes back unchanged, for the
     * grammar check to refuse (normalising megabytes helps nobody).
     */
    public static String normalise(String ref) {
        if (ref == null || ref.length() > MAX_RAW) {
            return ref;
        }
        return Normalizer.normalize(ref, Normalizer.Form.NFKC).strip();
    }

    /**
     * Why a new consultation cannot take {@code normalised} as its reference (empty, longer than
     * {@value #MAX_LENGTH}, a control or bidi character, a path separator), or empty.
     */
    public static Optional<String> problemForNew(String normalised) {
        if (normalised != null && normalised.length() > MAX_LENGTH) {
            return Optional.of("approval reference is longer than " + MAX_LENGTH + " characters");
        }
        return Ids.APPROVAL_REF.problem(normalised);
    }
}

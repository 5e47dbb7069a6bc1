package jp.sekisho.gateway.input;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The one rule for a file name a sender gives (tus {@code Upload-Metadata} filename), checked when the
 * upload is created and again by {@code sekisho receive} before it writes the file: a single plain name
 * that cannot leave the receiver's folder nor read as something it is not.
 */
public final class FileNames {

    /** Most file systems' limit for one name. */
    public static final int MAX_BYTES = 255;

    private FileNames() {}

    public static boolean valid(String name) {
        return problem(name).isEmpty();
    }

    /** Why {@code name} is not acceptable (in English), or empty. */
    public static Optional<String> problem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("the file name is empty");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("the file name is . or ..");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            return Optional.of("the file name holds a path separator");
        }
        int bad = Text.firstForbidden(name, "");
        if (bad >= 0) {
            return Optional.of("the file name holds " + Text.describe(bad) + " (a control character or bidi mark)");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.of("the file name is longer than " + MAX_BYTES + " bytes in UTF-8");
        }
        if (Character.isWhitespace(name.codePointAt(0))
                || Character.isSpaceChar(name.codePointAt(0))
                || Character.isWhitespace(name.codePointBefore(name.length()))
                || Character.isSpaceChar(name.codePointBefore(name.length()))) {
            return Optional.of("the file name starts or ends with a space");
        }
        if (name.endsWith(".")) {
            return Optional.of("the file name ends with a dot");
        }
        return Optional.empty();
    }
}

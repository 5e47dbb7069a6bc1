package jp.sekisho.gateway.input;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The grammar of every identifier a client names, in one place, checked at the edge before an id
 * reaches a lookup, the database or the audit log. A valid id may still name nothing (404 then); an
 * invalid one is refused {@code ID_INVALID}.
 */
public enum Ids {
    /** A route id, as the routes file allows it: lower-case letters, digits and '-', 1 to 63. */
    ROUTE("route id", Pattern.compile("[a-z0-9][a-z0-9-]{0,62}"), 63),
    /** A transfer id: URL-safe base64 as the gateway makes them (24 characters), at most 64. */
    TRANSFER("transfer id", Pattern.compile("[A-Za-z0-9_-]{1,64}"), 64),
    /**
     * An approval reference as the council numbers it ({@code 2総政第158号}, {@code REF-1}): any letters
     * and digits and common punctuation, no path separator, control or bidi mark, at most 128.
     */
    APPROVAL_REF("approval reference", null, 128),
    /** A data item code of the catalogue: lower-case letters, digits and '_', at most 64. */
    DATA_ITEM("data item", Pattern.compile("[a-z0-9][a-z0-9_]{0,63}"), 64);

    private final String label;
    private final Pattern grammar;
    private final int maxLength;

    Ids(String label, Pattern grammar, int maxLength) {
        this.label = label;
        this.grammar = grammar;
        this.maxLength = maxLength;
    }

    public String label() {
        return label;
    }

    public boolean valid(String id) {
        return problem(id).isEmpty();
    }

    /** Why {@code id} breaks this grammar (in English, for the problem answer and the audit event), or empty. */
    public Optional<String> problem(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.of(label + " is empty");
        }
        if (id.length() > maxLength) {
            return Optional.of(label + " is longer than " + maxLength + " characters");
        }
        if (grammar != null) {
            return grammar.matcher(id).matches()
                    ? Optional.empty()
                    : Optional.of(label + " must match " + grammar.pattern());
        }
        int bad = Text.firstForbidden(id, "");
        if (bad >= 0) {
            return Optional.of(label + " holds " + Text.describe(bad));
        }
        if (id.indexOf('/') >= 0 || id.indexOf('\\') >= 0 || id.equals(".") || id.equals("..")) {
            return Optional.of(label + " holds a path separator or is . or ..");
        }
        if (!id.strip().equals(id)) {
            return Optional.of(label + " starts or ends with a space");
        }
        return Optional.empty();
    }

    /** The id kind a path variable of the HTTP API names, by the variable's name, if any. */
    public static Optional<Ids> ofVariable(String name) {
        return switch (name) {
            case "route" -> Optional.of(ROUTE);
            case "ref" -> Optional.of(APPROVAL_REF);
            default -> Optional.empty();
        };
    }
}

package jp.sekisho.gateway.approval;

import io.micronaut.core.annotation.Nullable;
import jp.sekisho.gateway.admission.Reason;

/**
 * A refusal shown on an approvals page in {@code #error}: the stable reason code, what happened (the
 * reason's words and the message, which names the field when one field is at fault) and, from the
 * bundle's {@code next.CODE}, what to do next.
 *
 * @param field the form field at fault (its input is marked), or null
 */
public record PageError(
        Reason reason, String message, @Nullable String field) {

    /** A refusal the service gave as a reason code; an unknown code shows as REQUEST_ERROR with the code kept in the text. */
    static PageError of(String code, String message) {
        return Reason.of(code)
                .map(r -> new PageError(r, message, null))
                .orElseGet(() -> new PageError(Reason.REQUEST_ERROR, code + ": " + message, null));
    }

    /** The HTTP status of the page that shows it: the reason's, 400 for a code without one. */
    int status() {
        return reason.status() >= 400 ? reason.status() : 400;
    }

    public boolean at(String name) {
        return name.equals(field);
    }
}

package jp.sekisho.gateway.console;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import jp.sekisho.gateway.identity.Principal;

/**
 * A submitted console form (application/x-www-form-urlencoded, decoded by Micronaut into a map whose
 * repeated fields are lists). Only {@link #verified} makes one: a handler cannot read a field
 * without the CSRF token having been checked first.
 */
public final class ConsoleForm {

    /** Longest value of one field; the admin listener's body limit bounds the whole form. */
    static final int FIELD_LIMIT = 8192;

    private final Map<String, Object> fields;

    private ConsoleForm(Map<String, Object> fields) {
        this.fields = fields;
    }

    /**
     * The form, once its token is this principal's.
     *
     * @throws CsrfRejectedException when the token is missing or not this principal's
     */
    public static ConsoleForm verified(Map<String, Object> body, Principal principal, Csrf csrf) {
        Map<String, Object> f = body == null ? Map.of() : body;
        ConsoleForm form = new ConsoleForm(f);
        if (!csrf.valid(principal, form.get(Csrf.FIELD))) {
            throw new CsrfRejectedException();
        }
        return form;
    }

    /** The field's (first) value, trimmed; null when absent or blank. */
    public String get(String name) {
        List<String> all = all(name);
        if (all.isEmpty()) {
            return null;
        }
        String v = all.get(0).strip();
        return v.isEmpty() ? null : v;
    }

    public String get(String name, String orElse) {
        String v = get(name);
        return v == null ? orElse : v;
    }

    /** Every value of a repeated field (checkboxes), in the order sent. */
    public List<String> all(String name) {
        Object v = fields.get(name);
        List<String> out = new ArrayList<>();
        if (v instanceof Collection<?> c) {
            c.forEach(x -> out.add(bounded(name, String.valueOf(x))));
        } else if (v != null) {
            out.add(bounded(name, String.valueOf(v)));
        }
        return out;
    }

    /** Non-blank lines of a textarea (departments, subcontractors). */
    public List<String> lines(String name) {
        String v = get(name);
        if (v == null) {
            return List.of();
        }
        return v.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public boolean checked(String name) {
        String v = get(name);
        return v != null && !"false".equals(v);
    }

    private static String bounded(String name, String v) {
        if (v.length() > FIELD_LIMIT) {
            throw new IllegalArgumentException(name + ": 長すぎます / too long (at most " + FIELD_LIMIT + " characters)");
        }
        return v;
    }
}

package jp.sekisho.audit.config;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * One mapping of a YAML configuration file, read strictly: it must be a mapping with names as keys,
 * and every key must be one the section knows, at every nesting level. A misspelt key stops the
 * program with {@code FILE: KEY.PATH: unknown key (expected one of …)} instead of being ignored (a
 * {@code passwrd-file:} under {@code store:} once started a gateway with no password). Every section
 * of gateway.yml and of a routes file is read through this one class.
 *
 * <p>Errors are made by the caller's factory, so each file keeps its own exception type (the
 * gateway's {@code ConfigException}, a routes file's {@code Invalid}, ...) with the same message form.
 */
public final class StrictMap {

    private final String file;
    private final String path;
    private final Map<String, Object> values;
    private final Function<String, ? extends RuntimeException> errors;

    private StrictMap(
            String file, String path, Map<String, Object> values, Function<String, ? extends RuntimeException> errors) {
        this.file = file;
        this.path = path;
        this.values = values;
        this.errors = errors;
    }

    /**
     * Reads {@code value} as the mapping at {@code path} ("" for the top level) whose keys must all be
     * in {@code known}.
     *
     * @param errors turns a whole message line into the exception to throw
     */
    @SuppressWarnings("unchecked")
    public static StrictMap of(
            Object value,
            String file,
            String path,
            Collection<String> known,
            Function<String, ? extends RuntimeException> errors) {
        String where = path.isEmpty() ? "(top level)" : path;
        if (!(value instanceof Map<?, ?> m)) {
            throw errors.apply(file + ": " + where + ": expected a mapping (key: value)");
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String name)) {
                throw errors.apply(file + ": " + where + ": key '" + k + "' is not a name");
            }
            if (!known.contains(name)) {
                throw errors.apply(file + ": " + join(path, name) + ": unknown key (expected one of "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
        return new StrictMap(file, path, (Map<String, Object>) value, errors);
    }

    /** The nested section {@code key}, read strictly with its own keys; null when absent. */
    public StrictMap section(String key, Set<String> known) {
        Object v = values.get(key);
        return v == null ? null : of(v, file, pathOf(key), known, errors);
    }

    /** The raw value of {@code key}, or null. */
    public Object get(String key) {
        return values.get(key);
    }

    public boolean has(String key) {
        return values.get(key) != null;
    }

    /** A scalar as text; {@code dflt} when absent; an error when it is a mapping or a list. */
    public String text(String key, String dflt) {
        Object v = values.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Map || v instanceof List) {
            throw error(key, "expected a single value");
        }
        return v.toString();
    }

    /** The whole path of {@code key} in this file, e.g. {@code store.password-file}. */
    public String pathOf(String key) {
        return join(path, key);
    }

    /** {@code FILE: PATH.KEY: problem}, as the caller's exception. */
    public RuntimeException error(String key, String problem) {
        return errors.apply(file + ": " + pathOf(key) + ": " + problem);
    }

    public Map<String, Object> values() {
        return values;
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}

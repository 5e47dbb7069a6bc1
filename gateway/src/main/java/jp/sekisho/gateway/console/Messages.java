package jp.sekisho.gateway.console;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.Set;
import java.util.TreeSet;

/**
 * The console's words in one language. Each feature keeps its own bundle under {@code console/}
 * (messages, approvals, routes, audit, operations; {@code _ja} and {@code _en}, UTF-8), so pages are
 * added without touching a shared file. A missing key shows as {@code ??key??} (and fails
 * MessagesTest), never as an empty cell.
 */
public final class Messages {

    /** Every bundle the console reads, in lookup order. */
    static final List<String> BUNDLES =
            List.of("console/messages", "console/approvals", "console/routes", "console/audit", "console/operations");

    // before BY_LANG: the static block below uses it
    private static final ResourceBundle.Control NO_FALLBACK =
            ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES);

    private static final Map<Lang, Messages> BY_LANG = new EnumMap<>(Lang.class);

    static {
        for (Lang l : Lang.values()) {
            BY_LANG.put(l, new Messages(l));
        }
    }

    private final Lang lang;
    private final List<ResourceBundle> bundles;

    private Messages(Lang lang) {
        this.lang = lang;
        List<ResourceBundle> found = new ArrayList<>();
        for (String name : BUNDLES) {
            try {
                found.add(ResourceBundle.getBundle(name, lang.locale(), NO_FALLBACK));
            } catch (MissingResourceException e) {
                // a feature without console pages yet
            }
        }
        this.bundles = List.copyOf(found);
    }

    public static Messages of(Lang lang) {
        return BY_LANG.get(lang);
    }

    public Lang lang() {
        return lang;
    }

    /** The text for {@code key}; {@code {0}}, {@code {1}}… replaced by the arguments as given (escaped by the template). */
    public String t(String key, Object... args) {
        String s = raw(key);
        for (int i = 0; i < args.length; i++) {
            s = s.replace("{" + i + "}", String.valueOf(args[i]));
        }
        return s;
    }

    /** True when some bundle defines {@code key}. */
    public boolean has(String key) {
        return bundles.stream().anyMatch(b -> b.containsKey(key));
    }

    private String raw(String key) {
        for (ResourceBundle b : bundles) {
            if (b.containsKey(key)) {
                return b.getString(key);
            }
        }
        return "??" + key + "??";
    }

    /** Every key of every bundle, for the test that both languages say everything. */
    Set<String> keys() {
        Set<String> keys = new TreeSet<>();
        bundles.forEach(b -> keys.addAll(b.keySet()));
        return keys;
    }
}

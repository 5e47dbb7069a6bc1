package jp.sekisho.gateway.console;

import io.micronaut.core.annotation.Nullable;
import java.util.List;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.Role;

/**
 * What every console page needs besides its own data: who is looking, in which language, the token
 * its forms carry, the navigation their roles allow, and a notice or error to show once.
 *
 * @param path   the page's path, for the language switch and the active navigation entry
 * @param notice a message key shown in {@code #notice} (after a form succeeded), or null
 */
public record ConsoleView(
        Principal principal,
        Messages m,
        String csrf,
        String path,
        String title,
        List<NavItem> nav,
        @Nullable String notice) {

    public Lang lang() {
        return m.lang();
    }

    public boolean has(Role role) {
        return principal.hasRole(role);
    }

    /** The roles as the person reads them: 事務局 / secretariat, … */
    public String roles() {
        return String.join(
                ", ",
                principal.roles().stream()
                        .map(r -> m.t("role." + r.name().toLowerCase(java.util.Locale.ROOT)))
                        .toList());
    }

    /** The link that shows this page in the other language. */
    public String langSwitch() {
        return path + (path.contains("?") ? "&" : "?") + "lang="
                + lang().other().code();
    }
}

package jp.sekisho.gateway.admission;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import jp.sekisho.gateway.identity.Role;

/**
 * Who may call an endpoint, as its annotations declare it: any verified principal, one of some
 * roles, or nobody (an endpoint that declares neither: deny by default); and whether it exists
 * only on the admin listener.
 */
public record Access(boolean adminOnly, Set<Role> roles, boolean anyPrincipal) {

    public Access {
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
    }

    public static Access roles(Role... roles) {
        return new Access(false, Set.of(roles), false);
    }

    public static Access forAnyPrincipal() {
        return new Access(false, Set.of(), true);
    }

    public static Access undeclared() {
        return new Access(false, Set.of(), false);
    }

    public Access adminOnly(boolean admin) {
        return new Access(admin, roles, anyPrincipal);
    }

    boolean declared() {
        return anyPrincipal || !roles.isEmpty();
    }

    /** "sender or receiver", for the message of ROLE_REQUIRED. */
    String rolesText() {
        return roles.stream()
                .sorted()
                .map(r -> r.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(" or "));
    }
}

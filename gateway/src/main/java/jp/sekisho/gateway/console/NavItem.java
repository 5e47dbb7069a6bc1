package jp.sekisho.gateway.console;

import java.util.List;
import java.util.Set;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.Role;

/** One entry of the console's navigation, shown only to the roles that may open it. */
public record NavItem(String key, String href, Set<Role> roles) {

    static final List<NavItem> ALL = List.of(
            new NavItem("nav.approvals", "/console/approvals", Set.of(Role.SECRETARIAT, Role.AUDITOR, Role.OPERATOR)),
            new NavItem("nav.routes", "/console/routes", Set.of(Role.SECRETARIAT, Role.OPERATOR)),
            new NavItem("nav.audit", "/console/audit", Set.of(Role.AUDITOR)),
            new NavItem("nav.operations", "/console/operations", Set.of(Role.OPERATOR)));

    static List<NavItem> forPrincipal(Principal p) {
        return ALL.stream().filter(i -> p.hasAnyRole(i.roles())).toList();
    }
}

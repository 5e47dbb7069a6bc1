package jp.sekisho.gateway.admission;

/**
 * The principal holds one of the roles the endpoint requires. An endpoint that declares no role and
 * not "any principal" is refused to everyone: deny by default.
 */
final class RoleStep implements Step {

    @Override
    public Decision.Denied check(AdmissionRequest request, Attempt attempt) {
        Access access = request.access();
        if (!access.declared()) {
            return attempt.deny(Reason.ROUTE_NOT_DECLARED, "this endpoint declares no role");
        }
        if (!access.anyPrincipal() && !attempt.principal().hasAnyRole(access.roles())) {
            return attempt.deny(Reason.ROLE_REQUIRED, "requires role " + access.rolesText());
        }
        return null;
    }
}

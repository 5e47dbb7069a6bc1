package jp.sekisho.gateway.identity;

import io.micronaut.serde.annotation.Serdeable;
import java.util.List;
import java.util.Set;
import jp.sekisho.audit.AuditPrincipal;

/**
 * Who is on the other end of a connection, as proven by a verified client certificate.
 *
 * @param subject the certificate subject DN (RFC 4514 / RFC 2253 form)
 * @param serial  the serial number in lower-case hex
 * @param sha256  the SHA-256 fingerprint of the DER certificate, lower-case hex
 * @param roles   the roles the configuration grants this certificate (may be empty)
 */
@Serdeable
public record Principal(String subject, String serial, String sha256, List<Role> roles) {

    public Principal {
        roles = List.copyOf(roles);
    }

    public boolean hasRole(Role role) {
        return roles.contains(role);
    }

    public boolean hasAnyRole(Set<Role> wanted) {
        return roles.stream().anyMatch(wanted::contains);
    }

    public AuditPrincipal toAudit() {
        return new AuditPrincipal(subject, serial, sha256);
    }
}

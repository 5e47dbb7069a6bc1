package jp.sekisho.gateway.identity;

import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import jp.sekisho.certs.CertificateSummary;
import jp.sekisho.gateway.config.GatewayConfig;

/** Turns a verified certificate into a {@link Principal} with the roles the configuration grants. */
public final class RoleMapper {

    private final List<GatewayConfig.PrincipalRule> rules;

    public RoleMapper(List<GatewayConfig.PrincipalRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public Principal principalOf(X509Certificate cert) {
        String sha = CertificateSummary.sha256(cert);
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (GatewayConfig.PrincipalRule r : rules) {
            boolean subjectOk = r.subject() == null || r.subject().equals(cert.getSubjectX500Principal());
            boolean shaOk = r.sha256() == null || r.sha256().equals(sha);
            if (subjectOk && shaOk) {
                roles.addAll(r.roles());
            }
        }
        return new Principal(
                cert.getSubjectX500Principal().getName(), cert.getSerialNumber().toString(16), sha, List.copyOf(roles));
    }
}

package jp.sekisho.gateway.approval;

import java.util.Locale;
import javax.security.auth.x500.X500Principal;

/**
 * Who made a decision, identified by the verified certificate: subject for people reading the
 * history, SHA-256 fingerprint as well. The subject is the person's identity: roles are mapped by
 * subject, and a renewed certificate ({@code certs issue --force}) keeps it with a new key and
 * fingerprint. So two actors are the same person when their subjects are equal as names
 * (X.500 canonical form: case and spacing do not count) or their fingerprints are equal.
 */
public record Actor(String subject, String sha256) {

    public boolean samePersonAs(Actor other) {
        if (other == null) {
            return false;
        }
        if (sha256 != null && sha256.equalsIgnoreCase(other.sha256())) {
            return true;
        }
        return subject != null && other.subject() != null && canonical(subject).equals(canonical(other.subject()));
    }

    /**
     * RFC 2253 canonical form (attribute types as OIDs, values case-folded, inner spaces collapsed,
     * RFC 4518-like); a subject that does not parse is compared as trimmed, case-folded text.
     */
    static String canonical(String dn) {
        try {
            return new X500Principal(dn).getName(X500Principal.CANONICAL);
        } catch (IllegalArgumentException e) {
            return dn.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
        }
    }
}

package jp.sekisho.gateway.route;

import java.util.List;

/**
 * One side of a route: a principal, named by certificate subject (RFC 4514) or SHA-256
 * fingerprint, and the source CIDRs it may connect from for this route.
 */
public record Party(String subject, String sha256, List<String> allow) {

    public Party {
        allow = List.copyOf(allow);
        if ((subject == null || subject.isBlank()) && (sha256 == null || sha256.isBlank())) {
            throw new IllegalArgumentException("a party needs a subject or a sha256 fingerprint");
        }
    }

    /** The verified certificate matches when both given identifiers match. */
    public boolean matches(String certSubject, String certSha256) {
        boolean subjectOk = subject == null || subject.isBlank() || subject.equals(certSubject);
        boolean fingerprintOk = sha256 == null || sha256.isBlank() || sha256.equalsIgnoreCase(certSha256);
        return subjectOk && fingerprintOk;
    }

    public String label() {
        return subject != null && !subject.isBlank() ? subject : "sha256:" + sha256;
    }
}

package jp.sekisho.gateway.relay;

import java.util.List;
import java.util.Objects;

/**
 * A relay route: named terminals reach one upstream web system through one relay listener, only
 * while the approval is in force, every request audited (docs/relay.md). Beside the batch
 * {@link jp.sekisho.gateway.route.Route}s in the same routes file and admin API; ids are unique
 * across both kinds.
 *
 * @param listener  a gateway.yml listener with {@code kind: relay}; it carries this route alone
 * @param mode      how terminals speak to the gateway ({@code terminal-mode:} in the routes file)
 * @param terminals the terminals: source CIDRs, and with {@link TerminalMode#MTLS} the certificate
 *                  (subject or sha256) each must present; with TLS or HTTP a terminal has no
 *                  certificate and {@link Terminal#subject()}/{@link Terminal#sha256()} are null
 * @param upstream  where requests go
 * @param limits    what the route lets through
 */
public record RelayRoute(
        String id,
        String listener,
        String approvalRef,
        TerminalMode mode,
        List<Terminal> terminals,
        Upstream upstream,
        RelayLimits limits) {

    public RelayRoute {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(approvalRef, "approvalRef");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(limits, "limits");
        terminals = List.copyOf(terminals);
    }

    /** Every CIDR a terminal may connect from: what the relay listener's allowlist must admit. */
    public List<String> allCidrs() {
        return terminals.stream().flatMap(t -> t.allow().stream()).distinct().toList();
    }

    /**
     * One group of terminals: the addresses they connect from and, on an mTLS route, the certificate
     * they hold (subject or SHA-256 fingerprint; both must match when both are given).
     */
    public record Terminal(String subject, String sha256, List<String> allow) {
        public Terminal {
            allow = List.copyOf(allow);
        }

        public boolean namesCertificate() {
            return (subject != null && !subject.isBlank()) || (sha256 != null && !sha256.isBlank());
        }

        /** Same matching rule as a batch route's party. */
        public boolean matches(String certSubject, String certSha256) {
            boolean subjectOk = subject == null || subject.isBlank() || subject.equals(certSubject);
            boolean fingerprintOk = sha256 == null || sha256.isBlank() || sha256.equalsIgnoreCase(certSha256);
            return subjectOk && fingerprintOk;
        }

        public String label() {
            if (subject != null && !subject.isBlank()) {
                return subject;
            }
            return sha256 != null && !sha256.isBlank() ? "sha256:" + sha256 : String.join(",", allow);
        }
    }
}

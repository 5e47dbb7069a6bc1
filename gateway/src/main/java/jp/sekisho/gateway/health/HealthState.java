package jp.sekisho.gateway.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import jp.sekisho.gateway.tls.CrlStore;

/**
 * Whether this node serves, or is alive but refusing, and why. A stale CRL refuses every client
 * certificate of its issuer (fail closed: revocation status unknown), a store the audit log cannot
 * write to refuses every audited request, and a policy store not read for a while leaves routes and
 * approvals unknown: in each case the node is up but should not get traffic.
 */
public final class HealthState {

    /** Reasons, stable codes (docs/gateway-config.md). */
    public static final String CRL_EXPIRED = "CRL_EXPIRED";

    public static final String CRL_UNAVAILABLE = "CRL_UNAVAILABLE";
    public static final String AUDIT_UNAVAILABLE = "AUDIT_UNAVAILABLE";
    public static final String POLICY_UNAVAILABLE = "POLICY_UNAVAILABLE";
    /** The spool folder's marker is unreadable (a shared mount gone): transfers are refused. */
    public static final String SPOOL_UNAVAILABLE = "SPOOL_UNAVAILABLE";

    /** The policy watcher reloads every 5 s while it can read the store: six missed reloads are an outage. */
    static final Duration POLICY_STALE = Duration.ofSeconds(30);

    private final CrlStore crls;
    private final BooleanSupplier auditAvailable;
    private final Supplier<Instant> policyLoadedAt;
    private final BooleanSupplier spoolAvailable;
    private final Clock clock;

    public HealthState(CrlStore crls, BooleanSupplier auditAvailable, Supplier<Instant> policyLoadedAt, Clock clock) {
        this(crls, auditAvailable, policyLoadedAt, () -> true, clock);
    }

    public HealthState(
            CrlStore crls,
            BooleanSupplier auditAvailable,
            Supplier<Instant> policyLoadedAt,
            BooleanSupplier spoolAvailable,
            Clock clock) {
        this.crls = crls;
        this.auditAvailable = auditAvailable;
        this.policyLoadedAt = policyLoadedAt;
        this.spoolAvailable = spoolAvailable;
        this.clock = clock;
    }

    /** Why the node refuses now, each reason once, in a fixed order; empty when it serves. */
    public List<String> refusing() {
        List<String> reasons = new ArrayList<>();
        for (CrlStore.CrlFile f : crls.files()) {
            String r = f.refusal() == null ? null : f.refusal().code();
            if (r != null && !reasons.contains(r)) {
                reasons.add(r);
            }
        }
        if (!auditAvailable.getAsBoolean()) {
            reasons.add(AUDIT_UNAVAILABLE);
        }
        Instant loaded = Objects.requireNonNullElse(policyLoadedAt.get(), Instant.EPOCH);
        if (loaded.plus(POLICY_STALE).isBefore(clock.instant())) {
            reasons.add(POLICY_UNAVAILABLE);
        }
        if (!spoolAvailable.getAsBoolean()) {
            reasons.add(SPOOL_UNAVAILABLE);
        }
        return reasons;
    }
}

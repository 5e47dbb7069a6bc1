package jp.sekisho.gateway.relay;

import java.time.Clock;
import java.util.function.Supplier;
import jp.sekisho.gateway.policy.PolicySnapshot;

/** What every relay connection shares: the policy, admission, upstream connections, audit, cut-off. */
record RelayContext(
        Supplier<PolicySnapshot> policy,
        RelayAdmission admission,
        UpstreamConnector upstreams,
        RelayAudit audit,
        RelayCutoff cutoff,
        Clock clock) {}

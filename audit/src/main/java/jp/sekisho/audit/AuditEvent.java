package jp.sekisho.audit;

import java.util.Objects;

/**
 * One access decision or state change, as the gateway reports it. The store adds the sequence
 * number, time, node id and chain hashes (see {@link RecordedEvent}).
 * Never carries payload bytes or key material: only who, where, what and how much.
 *
 * <p>Every field except {@code type} and {@code outcome} may be null.
 */
public record AuditEvent(
        EventType type,
        Outcome outcome,
        String reason,
        AuditPrincipal principal,
        String sourceIp,
        Integer sourcePort,
        Integer listenerPort,
        String routeId,
        String approvalRef,
        String transferId,
        Long bytes,
        String payloadSha256,
        String requestId,
        String detailJson) {

    public AuditEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(outcome, "outcome");
    }

    public static Builder of(EventType type, Outcome outcome) {
        return new Builder(type, outcome);
    }

    /** Fluent construction, since most events fill only a few fields. */
    public static final class Builder {
        private final EventType type;
        private final Outcome outcome;
        private String reason;
        private AuditPrincipal principal;
        private String sourceIp;
        private Integer sourcePort;
        private Integer listenerPort;
        private String routeId;
        private String approvalRef;
        private String transferId;
        private Long bytes;
        private String payloadSha256;
        private String requestId;
        private String detailJson;

        private Builder(EventType type, Outcome outcome) {
            this.type = type;
            this.outcome = outcome;
        }

        public Builder reason(String v) {
            this.reason = v;
            return this;
        }

        public Builder principal(AuditPrincipal v) {
            this.principal = v;
            return this;
        }

        public Builder source(String ip, Integer port) {
            this.sourceIp = ip;
            this.sourcePort = port;
            return this;
        }

        public Builder listenerPort(Integer v) {
            this.listenerPort = v;
            return this;
        }

        public Builder routeId(String v) {
            this.routeId = v;
            return this;
        }

        public Builder approvalRef(String v) {
            this.approvalRef = v;
            return this;
        }

        public Builder transferId(String v) {
            this.transferId = v;
            return this;
        }

        public Builder bytes(Long v) {
            this.bytes = v;
            return this;
        }

        public Builder payloadSha256(String v) {
            this.payloadSha256 = v;
            return this;
        }

        public Builder requestId(String v) {
            this.requestId = v;
            return this;
        }

        public Builder detailJson(String v) {
            this.detailJson = v;
            return this;
        }

        public AuditEvent build() {
            return new AuditEvent(
                    type,
                    outcome,
                    reason,
                    principal,
                    sourceIp,
                    sourcePort,
                    listenerPort,
                    routeId,
                    approvalRef,
                    transferId,
                    bytes,
                    payloadSha256,
                    requestId,
                    detailJson);
        }
    }
}

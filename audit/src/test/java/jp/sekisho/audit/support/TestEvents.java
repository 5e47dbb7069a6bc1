package jp.sekisho.audit.support;

import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;

/** Realistic events for tests and the benchmark. */
public final class TestEvents {

    public static final AuditPrincipal SENDER =
            new AuditPrincipal("CN=hr-batch,OU=総務課,O=Example City,C=JP", "4f1a2b3c", "9c".repeat(32));

    private TestEvents() {}

    public static AuditEvent allowed(long i) {
        return AuditEvent.of(EventType.REQUEST_ALLOWED, Outcome.ALLOW)
                .reason("OK")
                .principal(SENDER)
                .source("10.1.2." + (i % 250 + 1), 40000 + (int) (i % 20000))
                .listenerPort(8443)
                .routeId("payroll-hr")
                .approvalRef("2総政第158号")
                .transferId("t-" + i)
                .bytes(1_048_576L + i)
                .payloadSha256("ab".repeat(32))
                .requestId("req-" + i)
                .detailJson("{\"records\":" + (i % 1000) + ",\"note\":\"tab\\tand \\\"quote\\\"\"}")
                .build();
    }

    public static AuditEvent denied(long i, String reason, String ip) {
        return AuditEvent.of(EventType.CONNECTION_REFUSED, Outcome.DENY)
                .reason(reason)
                .source(ip, 50000 + (int) (i % 1000))
                .listenerPort(8443)
                .build();
    }
}

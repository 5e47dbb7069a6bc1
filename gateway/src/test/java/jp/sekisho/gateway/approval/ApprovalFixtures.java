package jp.sekisho.gateway.approval;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** Approvals for tests: the benefit mailing consultation, as the secretariat would enter it. */
public final class ApprovalFixtures {

    public static final Instant NOW = Instant.parse("2026-11-24T03:00:00Z"); // 12:00 in Tokyo

    private ApprovalFixtures() {}

    public static Approval pending() {
        return new Approval(
                "2総政第158号",
                "特別定額給付金",
                "条例第10条第1項第2号",
                List.of("総務部"),
                "Contractor K.K.",
                List.of(),
                List.of("name", "address"),
                305_115,
                LocalDate.of(2026, 4, 1),
                LocalDate.of(2027, 3, 31),
                Conditions.NONE,
                "令和8年第3回",
                ApprovalStatus.PENDING,
                null,
                null,
                1);
    }

    /** {@link #pending()} with the conditions entered with the consultation. */
    public static Approval withConditions(Conditions c) {
        Approval p = pending();
        return new Approval(
                p.ref(),
                p.title(),
                p.legalBasis(),
                p.departments(),
                p.contractor(),
                p.subcontractors(),
                p.dataItems(),
                p.maxRecords(),
                p.validFrom(),
                p.validUntil(),
                c,
                p.meetingRef(),
                ApprovalStatus.PENDING,
                null,
                null,
                1);
    }

    /** {@code p} as decided: another status and end of validity, the rest as it is. */
    public static Approval decided(Approval p, ApprovalStatus status, java.time.LocalDate validUntil) {
        return new Approval(
                p.ref(),
                p.title(),
                p.legalBasis(),
                p.departments(),
                p.contractor(),
                p.subcontractors(),
                p.dataItems(),
                p.maxRecords(),
                p.validFrom(),
                validUntil,
                p.conditions(),
                p.meetingRef(),
                status,
                null,
                null,
                1);
    }

    /** {@link #pending()} under another reference number. */
    public static Approval pending(String ref) {
        Approval p = pending();
        return new Approval(
                ref,
                p.title(),
                p.legalBasis(),
                p.departments(),
                p.contractor(),
                p.subcontractors(),
                p.dataItems(),
                p.maxRecords(),
                p.validFrom(),
                p.validUntil(),
                p.conditions(),
                p.meetingRef(),
                ApprovalStatus.PENDING,
                null,
                null,
                1);
    }
}

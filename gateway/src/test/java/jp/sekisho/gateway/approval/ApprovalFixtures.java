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
}

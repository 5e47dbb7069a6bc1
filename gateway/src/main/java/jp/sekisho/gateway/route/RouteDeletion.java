package jp.sekisho.gateway.route;

import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import jp.sekisho.gateway.policy.SealedContent;

/**
 * Who deleted a route, when and why. A deleted route keeps its row: this is what the row's seal
 * covers besides the route's last spec, so clearing the deletion by SQL leaves a row that no longer
 * matches its seal (tampered), not a live route again.
 *
 * @param at     truncated to microseconds, PostgreSQL's precision, so the seal survives the round trip
 * @param by     the operator's certificate subject
 * @param reason the operator's words (bounded by {@link #MAX_REASON})
 */
public record RouteDeletion(Instant at, String by, String reason) {

    /** A reason is a sentence or two: long enough to name a ticket and a decision, short enough to list. */
    public static final int MAX_REASON = 500;

    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    public RouteDeletion {
        Objects.requireNonNull(by, "by");
        Objects.requireNonNull(reason, "reason");
        at = at.truncatedTo(ChronoUnit.MICROS);
    }

    /** When, for people: Asia/Tokyo, to the second (e.g. {@code 2026-12-05T03:59:45+09:00}). */
    public String atTokyo() {
        return at.atZone(TOKYO)
                .truncatedTo(ChronoUnit.SECONDS)
                .toOffsetDateTime()
                .toString();
    }

    /** The content kind of a deleted row's seal: the deletion, then the route's own sealed fields. */
    public SealedContent sealed(String kind) {
        return SealedContent.of(kind).text(at.toString()).text(by).text(reason);
    }
}

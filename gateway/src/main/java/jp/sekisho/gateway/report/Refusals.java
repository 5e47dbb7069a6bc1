package jp.sekisho.gateway.report;

import java.util.List;
import jp.sekisho.gateway.report.TransferFigures.Count;

/**
 * The period's refused requests and connections under one approval: audit events with outcome DENY
 * naming the approval (admission names it for every request on one of its routes).
 *
 * @param total          every refusal
 * @param byReason       by reason code, most frequent first (every reason: the codes are a fixed set)
 * @param bySource       by source address, most frequent first, the first {@link #TOP_SOURCES} only
 * @param otherSources   refusals from addresses beyond those
 */
public record Refusals(long total, List<Count> byReason, List<Count> bySource, long otherSources) {

    /** How many source addresses a report names; a flood from many addresses is summed in one line. */
    public static final int TOP_SOURCES = 50;

    /** How many reasons a report names at most (the codes are a fixed set far below this). */
    public static final int MAX_REASONS = 200;

    public Refusals {
        byReason = List.copyOf(byReason);
        bySource = List.copyOf(bySource);
    }
}

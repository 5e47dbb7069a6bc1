package jp.sekisho.gateway.report;

import java.time.Instant;
import java.util.List;

/**
 * The audit chain's verification when the report was made, and the signed checkpoints that bound the
 * period on each node: with an export of the period ({@code audit export --from --to}) and {@code audit
 * verify}, anyone can check that the events the figures were counted from are the ones these
 * checkpoints sealed.
 *
 * @param ok          every chain linked and matched every signed checkpoint
 * @param events      events verified
 * @param checkpoints checkpoints matched
 * @param problem     the first problem found (node, seq, kind, message) when not ok; null when ok
 * @param bounds      per node: the last checkpoint before the period and the first at or after its end
 */
public record ChainCheck(boolean ok, long events, long checkpoints, String problem, List<Bound> bounds) {

    public ChainCheck {
        bounds = List.copyOf(bounds);
    }

    /**
     * One signed checkpoint.
     *
     * @param side BEFORE (the period starts after it), AFTER (the period ends before it) or LATEST (the
     *             newest checkpoint, when none follows the period's end yet: events after it are not yet sealed)
     */
    public record Bound(String node, long seq, Instant time, String hash, String side) {}
}

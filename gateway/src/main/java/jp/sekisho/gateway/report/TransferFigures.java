package jp.sekisho.gateway.report;

import java.util.List;

/**
 * What the audit store says passed under one approval in a period: every figure is a count or a sum over
 * its audit events (TRANSFER_STORED for transfers, bytes and declared records), so an export of the same
 * events re-computes it.
 *
 * @param transfers transfers the gateway stored (accepted) in the period
 * @param bytes     their envelopes' bytes
 * @param records   the records their senders declared
 * @param months    the same per month (Asia/Tokyo), oldest first
 * @param byEvent   the transfer events of the period by type (TRANSFER_STORED, ..._PURGED, ...), by name
 */
public record TransferFigures(long transfers, long bytes, long records, List<Month> months, List<Count> byEvent) {

    public TransferFigures {
        months = List.copyOf(months);
        byEvent = List.copyOf(byEvent);
    }

    /** How many TRANSFER_PURGED events: the gateway deleted its copy after the receiver acknowledged. */
    public long purges() {
        return count("TRANSFER_PURGED");
    }

    /** How many events of {@code type} the period holds. */
    public long count(String type) {
        return byEvent.stream()
                .filter(c -> c.key().equals(type))
                .mapToLong(Count::count)
                .sum();
    }

    /** One month: {@code month} is 2026-04 (Asia/Tokyo). */
    public record Month(String month, long transfers, long bytes, long records) {}

    /** A key and how many times it occurred. */
    public record Count(String key, long count) {}
}

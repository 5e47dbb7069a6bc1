package jp.sekisho.gateway.transfer;

/**
 * How many transfers one route has in flight now, and how many ended within a recent window.
 *
 * @param inFlight     uploading, stored or delivered and not yet acknowledged
 * @param delivered    acknowledged by a receiver (and purged) within the window
 * @param notDelivered rejected, expired or aborted within the window
 */
public record TransferCounts(long inFlight, long delivered, long notDelivered) {

    public static final TransferCounts NONE = new TransferCounts(0, 0, 0);
}

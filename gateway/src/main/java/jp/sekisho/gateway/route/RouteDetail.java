package jp.sekisho.gateway.route;

import io.micronaut.core.annotation.Nullable;
import java.util.List;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.console.Lang;
import jp.sekisho.gateway.transfer.Transfer;
import jp.sekisho.gateway.transfer.TransferCounts;
import jp.sekisho.gateway.transfer.TransferState;

/**
 * What one route's page shows.
 *
 * @param approval  the route's approval, null when the reference names none
 * @param listener  where its parties connect
 * @param inFlight  transfers in flight, newest first, at most {@link RoutePages#IN_FLIGHT_SHOWN}
 * @param counts    the route's counts; {@code counts.inFlight()} above the list's size says it was cut
 * @param recent    the latest ended transfers, newest end first, at most {@link RoutePages#RECENT}
 */
public record RouteDetail(
        Route route,
        RouteStatus status,
        @Nullable Approval approval,
        Listener listener,
        List<Transfer> inFlight,
        TransferCounts counts,
        List<Transfer> recent) {

    /** The route's listener as configured, with the port it is bound to (0 and no bind when it is not configured). */
    public record Listener(String name, @Nullable String bind, int port) {}

    /** An ended transfer that reached its receiver (acknowledged, then purged), not one refused or lost. */
    public static boolean delivered(Transfer t) {
        return t.state() == TransferState.ACKNOWLEDGED || t.state() == TransferState.PURGED;
    }

    /** Why a transfer ended, in the page's language, from its reason code; null for a code the gateway does not know. */
    @Nullable
    public static String reasonText(String code, Lang lang) {
        return Reason.of(code).map(r -> lang == Lang.JA ? r.ja() : r.en()).orElse(null);
    }

    public boolean inFlightCut() {
        return counts.inFlight() > inFlight.size();
    }
}

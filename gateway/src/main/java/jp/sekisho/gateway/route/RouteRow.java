package jp.sekisho.gateway.route;

import io.micronaut.core.annotation.Nullable;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.transfer.TransferCounts;

/** One line of the routes list: the route, its live state, its approval (null when unknown) and its counts. */
public record RouteRow(
        Route route, RouteStatus status, @Nullable Approval approval, TransferCounts counts) {}

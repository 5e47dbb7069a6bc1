package jp.sekisho.gateway.report;

import java.util.List;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.approval.DecisionRecord;

/**
 * One approval's part of a report: the consultation as recorded, its decisions, its routes now, and
 * what passed and was refused under it in the period.
 *
 * @param state   the approval's state now in both languages (e.g. 有効 / in force)
 * @param tamper  what failed its seal check; null when intact
 * @param history its decisions, oldest first (bounded: an approval has a handful)
 */
public record ApprovalSection(
        Approval approval,
        String stateJa,
        String stateEn,
        String tamper,
        List<String> dataItems,
        List<DecisionRecord> history,
        List<RouteLine> routes,
        TransferFigures transfers,
        Refusals refusals,
        DeletionStatus deletion) {

    public ApprovalSection {
        dataItems = List.copyOf(dataItems);
        history = List.copyOf(history);
        routes = List.copyOf(routes);
    }

    /**
     * A route under the approval and its live state (as the admission chain judges it now).
     *
     * @param kind TRANSFER or RELAY
     */
    public record RouteLine(String id, String kind, String listener, String state, String stateJa, String stateEn) {}
}

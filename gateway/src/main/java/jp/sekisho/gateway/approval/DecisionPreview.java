package jp.sekisho.gateway.approval;

import java.util.List;

/**
 * What a decision would do, computed without changing anything ({@link ApprovalService#preview}):
 * the approval's status before and after it takes effect, whether it waits for a second member,
 * and each route under the approval with its state before and after.
 *
 * @param statusBefore      the {@link ApprovalStatus} name now
 * @param statusAfter       the {@link ApprovalStatus} name once the decision takes effect (for a
 *                          flow-opening decision: once the second member confirms it)
 * @param needsSecondPerson the decision takes effect only when a second secretariat member confirms it
 * @param routes            every route bound to the approval, by id
 */
public record DecisionPreview(
        String statusBefore, String statusAfter, boolean needsSecondPerson, List<RouteEffect> routes) {

    public DecisionPreview {
        routes = List.copyOf(routes);
    }

    /** The routes whose state the decision changes between carrying data and not. */
    public List<RouteEffect> changes() {
        return routes.stream().filter(r -> r.stops() || r.starts()).toList();
    }
}

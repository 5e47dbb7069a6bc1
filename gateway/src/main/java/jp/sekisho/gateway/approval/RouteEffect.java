package jp.sekisho.gateway.approval;

/**
 * One route under an approval, in a {@link DecisionPreview}.
 *
 * @param stateBefore the route's state now: ACTIVE or the reason it carries nothing ({@code RouteState})
 * @param stateAfter  its state once the decision takes effect
 */
public record RouteEffect(String routeId, String stateBefore, String stateAfter) {

    private static final String ACTIVE = "ACTIVE";

    /** The route carries data now and will not after the decision. */
    public boolean stops() {
        return ACTIVE.equals(stateBefore) && !ACTIVE.equals(stateAfter);
    }

    /** The route carries nothing now and will carry data after the decision. */
    public boolean starts() {
        return !ACTIVE.equals(stateBefore) && ACTIVE.equals(stateAfter);
    }

    /**
     * 経路 kurume-benefit はデータを運ばなくなります / route kurume-benefit will stop carrying data (or
     * starts, or is unchanged): plain text, the console and the CLI escape it where they show it.
     */
    public String describe() {
        if (stops()) {
            return "経路 " + routeId + " はデータを運ばなくなります / route " + routeId + " will stop carrying data";
        }
        if (starts()) {
            return "経路 " + routeId + " はデータを運ぶようになります / route " + routeId + " will start carrying data";
        }
        return "経路 " + routeId + " は変わりません (" + stateAfter + ") / route " + routeId + " is unchanged (" + stateAfter
                + ")";
    }
}

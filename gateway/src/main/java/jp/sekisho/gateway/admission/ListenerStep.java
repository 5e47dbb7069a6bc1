package jp.sekisho.gateway.admission;

import jp.sekisho.gateway.http.GatewayInfo;

/** Administration APIs exist only on the admin listener: elsewhere they answer 404, as if absent. */
final class ListenerStep implements Step {

    private final GatewayInfo info;

    ListenerStep(GatewayInfo info) {
        this.info = info;
    }

    @Override
    public Decision.Denied check(AdmissionRequest request, Attempt attempt) {
        if (request.access().adminOnly() && !info.isAdmin(request.listener())) {
            return attempt.deny(Reason.ADMIN_LISTENER_ONLY, "this API is served on the admin listener only");
        }
        return null;
    }
}

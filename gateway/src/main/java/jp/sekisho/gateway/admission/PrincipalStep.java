package jp.sekisho.gateway.admission;

/** The connection carries a principal proven by a verified client certificate. */
final class PrincipalStep implements Step {

    @Override
    public Decision.Denied check(AdmissionRequest request, Attempt attempt) {
        var c = request.connection();
        if (c == null || c.principal() == null) {
            return attempt.deny(Reason.NO_CERTIFICATE, "no verified client certificate");
        }
        attempt.principal(c.principal());
        return null;
    }
}

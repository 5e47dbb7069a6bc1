package jp.sekisho.gateway.approval;

/**
 * An approval as read from the database, with the result of its seal check.
 *
 * @param tamper null when the row matches its seal; otherwise what failed (then the row is not
 *               trusted: no route on it carries data, no decision builds on it but revoke)
 */
public record StoredApproval(Approval approval, String tamper) {

    public boolean tampered() {
        return tamper != null;
    }
}

package jp.sekisho.gateway.transfer;

import java.time.Clock;
import jp.sekisho.gateway.admission.Reason;

/**
 * What a PATCH may declare late (tus creation-defer-length, Sekisho-Envelope-Sha256): a length or
 * hash not yet known is set; one already known may be repeated but never changed, since the
 * envelope check and the receipt rely on the first.
 */
final class Declarations {

    private Declarations() {}

    /**
     * The values of {@code d} to record for {@code t} (null members: leave as they are); throws the
     * PATCH's refusal when {@code d} contradicts what is declared or what the route allows.
     */
    static Tus.Declaration decide(Transfer t, long maxPayload, Tus.Declaration d) {
        Long length = null;
        String sha = null;
        if (d.length() != null) {
            if (t.lengthKnown()) {
                if (!t.length().equals(d.length())) {
                    throw new TransferProblem(
                            Reason.UPLOAD_LENGTH_MISMATCH,
                            "Upload-Length " + d.length() + " but the upload's length is " + t.length());
                }
            } else if (d.length() < t.offset()) {
                throw new TransferProblem(
                        Reason.UPLOAD_LENGTH_BELOW_OFFSET,
                        "Upload-Length " + d.length() + " is below the " + t.offset() + " bytes already uploaded",
                        t.offset());
            } else if (d.length() > maxPayload) {
                throw new TransferProblem(
                        Reason.PAYLOAD_TOO_LARGE,
                        "Upload-Length " + d.length() + " exceeds the route's maximum of " + maxPayload + " bytes");
            } else {
                length = d.length();
            }
        }
        if (d.sha256() != null) {
            if (t.sha256() == null) {
                sha = d.sha256();
            } else if (!t.sha256().equals(d.sha256())) {
                throw new TransferProblem(
                        Reason.SHA256_MISMATCH,
                        Tus.ENVELOPE_SHA256 + " " + d.sha256() + " differs from the sha256 declared before, "
                                + t.sha256());
            }
        }
        return new Tus.Declaration(length, sha);
    }

    /** Decides and records what {@code d} declares; under the transfer's lock. Returns the transfer as it now stands. */
    static Transfer declare(TransferRepository repo, Clock clock, Transfer t, long maxPayload, Tus.Declaration d) {
        Tus.Declaration record = decide(t, maxPayload, d);
        if (record.length() == null && record.sha256() == null) {
            return t;
        }
        if (!repo.declare(t.id(), record.length(), record.sha256(), clock.instant())) {
            throw new TransferProblem(Reason.TRANSFER_UNKNOWN, "upload " + t.id() + " is no longer in progress");
        }
        return repo.find(t.id()).orElseThrow();
    }
}

package jp.sekisho.gateway.transfer;

import jp.sekisho.gateway.admission.Reason;

/**
 * A PATCH for an upload that is complete already (STORED or later): the answer to the PATCH that
 * completed it may have been lost. An empty PATCH at its length is answered as that PATCH was,
 * {@code 204} with {@code Sekisho-Transfer-Id} (tus servers answer a completed upload's offset
 * the same way); any other PATCH is {@link #problem()}, {@code 409 OFFSET_MISMATCH} with the length.
 */
final class UploadComplete extends RuntimeException {

    private final transient Transfer transfer;

    UploadComplete(Transfer transfer) {
        super("upload " + transfer.id() + " is complete", null, false, false);
        this.transfer = transfer;
    }

    Transfer transfer() {
        return transfer;
    }

    TransferProblem problem() {
        return new TransferProblem(Reason.OFFSET_MISMATCH, getMessage(), transfer.length());
    }
}

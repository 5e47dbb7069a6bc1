package jp.sekisho.gateway.approval;

/**
 * What passed under an approval so far (実績), for the council and the secretariat.
 *
 * @param transfers the transfers the gateway accepted on routes under the approval (stored: the
 *                  whole envelope arrived and passed its checks), whatever happened to them after
 * @param records   the records those transfers declared (the sender's count, checked against
 *                  the approval's maximum per transfer)
 */
public record ApprovalUsage(long transfers, long records) {

    public static final ApprovalUsage NONE = new ApprovalUsage(0, 0);
}

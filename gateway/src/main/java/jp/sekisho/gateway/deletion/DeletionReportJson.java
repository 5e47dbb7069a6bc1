package jp.sekisho.gateway.deletion;

import java.util.List;
import jp.sekisho.audit.json.Json;

/** A stored report as the APIs show it (JSON written by hand, as the transfer answers are). */
final class DeletionReportJson {

    private DeletionReportJson() {}

    static String stored(DeletionReportRepository.Stored s) {
        StringBuilder sb = new StringBuilder();
        write(sb, s);
        return sb.toString();
    }

    static String list(List<DeletionReportRepository.Stored> all) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < all.size(); i++) {
            write(sb.append(i == 0 ? "" : ","), all.get(i));
        }
        return sb.append(']').toString();
    }

    private static void write(StringBuilder sb, DeletionReportRepository.Stored s) {
        sb.append('{');
        str(sb, "id", s.id()).append(',');
        str(sb, "approvalRef", s.approvalRef()).append(',');
        str(sb, "submittedAt", s.submittedAt().toString()).append(',');
        str(sb, "submittedBy", s.submittedBy()).append(',');
        str(sb, "node", s.node()).append(',');
        str(sb, "signer", s.signerSubject()).append(',');
        str(sb, "signerCertSha256", s.signerCertSha256()).append(',');
        str(sb, "manifestSha256", s.manifestSha256()).append(',');
        str(sb, "responsible", s.responsible()).append(',');
        sb.append("\"transfers\":").append(s.transferCount()).append(',');
        str(sb, "deletedUntil", s.deletedUntil().toString());
        sb.append('}');
    }

    private static StringBuilder str(StringBuilder sb, String key, String value) {
        Json.quote(sb, key).append(':');
        return Json.quote(sb, value);
    }
}

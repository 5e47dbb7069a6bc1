package jp.sekisho.gateway.deletion;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import jp.sekisho.gateway.policy.Jdbc;

/** The table deletion_report (V11) and the one question it asks of transfer: what was delivered under an approval. */
public final class DeletionReportRepository {

    private final DataSource ds;

    public DeletionReportRepository(DataSource ds) {
        this.ds = ds;
    }

    /** An accepted report, as stored (the signed original aside). */
    public record Stored(
            String id,
            String approvalRef,
            Instant submittedAt,
            String submittedBy,
            String node,
            String signerSubject,
            String signerCertSha256,
            String manifestSha256,
            String responsible,
            int transferCount,
            Instant deletedUntil) {}

    /** The transfers delivered under {@code ref} (delivered_at set, whatever came after), id to SHA-256. */
    public Map<String, String> delivered(String ref) {
        return Jdbc.inTransaction(ds, c -> {
            Map<String, String> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, sha256 FROM transfer WHERE approval_ref = ? AND delivered_at IS NOT NULL ORDER BY id")) {
                ps.setString(1, ref);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            return out;
        });
    }

    public void insert(Stored s, byte[] signedOriginal) {
        Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO deletion_report (id, approval_ref, submitted_at,"
                            + " submitted_by, node, signer_subject, signer_cert_sha256, manifest_sha256, responsible,"
                            + " transfer_count, deleted_until, signed_original) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, s.id());
                ps.setString(2, s.approvalRef());
                ps.setTimestamp(3, Jdbc.ts(s.submittedAt()));
                ps.setString(4, s.submittedBy());
                ps.setString(5, s.node());
                ps.setString(6, s.signerSubject());
                ps.setString(7, s.signerCertSha256());
                ps.setString(8, s.manifestSha256());
                ps.setString(9, s.responsible());
                ps.setInt(10, s.transferCount());
                ps.setTimestamp(11, Jdbc.ts(s.deletedUntil()));
                ps.setBytes(12, signedOriginal);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The accepted reports of {@code ref}, oldest first. */
    public List<Stored> list(String ref) {
        return Jdbc.inTransaction(ds, c -> {
            List<Stored> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, approval_ref, submitted_at, submitted_by, node,"
                    + " signer_subject, signer_cert_sha256, manifest_sha256, responsible, transfer_count,"
                    + " deleted_until FROM deletion_report WHERE approval_ref = ? ORDER BY submitted_at, id")) {
                ps.setString(1, ref);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Stored(
                                rs.getString(1),
                                rs.getString(2),
                                Jdbc.instant(rs, "submitted_at"),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6),
                                rs.getString(7),
                                rs.getString(8),
                                rs.getString(9),
                                rs.getInt(10),
                                Jdbc.instant(rs, "deleted_until")));
                    }
                }
            }
            return out;
        });
    }

    /** The signed original of report {@code id} under {@code ref}, as received. */
    public Optional<byte[]> original(String ref, String id) {
        return Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT signed_original FROM deletion_report WHERE approval_ref = ? AND id = ?")) {
                ps.setString(1, ref);
                ps.setString(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
                }
            }
        });
    }

    /** The approvals with an accepted report (one query, for the overdue gauge and lists). */
    public java.util.Set<String> acceptedRefs() {
        return Jdbc.inTransaction(ds, c -> {
            java.util.Set<String> out = new java.util.HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT approval_ref FROM deletion_report");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    /** Whether {@code ref} has an accepted report. */
    public boolean accepted(String ref) {
        return Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT 1 FROM deletion_report WHERE approval_ref = ? LIMIT 1")) {
                ps.setString(1, ref);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }
}

package jp.sekisho.audit.read;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.Checkpoint;

/** Rows of {@link QuerySql#COLUMNS} and of audit_checkpoint back into values. */
public final class EventRowMapper {

    private EventRowMapper() {}

    static RecordedEvent event(ResultSet rs) throws SQLException {
        String subject = rs.getString(7);
        String serial = rs.getString(8);
        String certSha = rs.getString(9);
        AuditPrincipal p = subject == null && serial == null && certSha == null
                ? null
                : new AuditPrincipal(subject, serial, certSha);
        AuditEvent e = new AuditEvent(
                EventType.valueOf(rs.getString(4)),
                Outcome.valueOf(rs.getString(5)),
                rs.getString(6),
                p,
                rs.getString(10),
                (Integer) rs.getObject(11),
                (Integer) rs.getObject(12),
                rs.getString(13),
                rs.getString(14),
                rs.getString(15),
                (Long) rs.getObject(16),
                rs.getString(17),
                rs.getString(18),
                rs.getString(19));
        return new RecordedEvent(
                rs.getLong(2),
                rs.getObject(3, OffsetDateTime.class).toInstant(),
                rs.getString(1),
                e,
                rs.getString(20),
                rs.getString(21));
    }

    /** A checkpoint from a row of {@code node_id, seq, time, hash, key_id, algorithm, signature}. */
    public static Checkpoint checkpoint(ResultSet rs) throws SQLException {
        return new Checkpoint(
                rs.getString(1),
                rs.getLong(2),
                rs.getObject(3, OffsetDateTime.class).toInstant(),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7));
    }
}

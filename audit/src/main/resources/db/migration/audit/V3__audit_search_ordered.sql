-- The newest page of one principal or approval, in time order straight from an index (issue 13).
-- V2's single-column indexes found a principal's events, but the newest 50 of them still needed either
-- all of them sorted or a walk down the time index that, for a principal with few events, read the
-- whole log (1.1 s on a million events). With the time key after the value, each written form of the
-- principal is one ordered index scan that stops after the page (AuditReader reads them as a UNION of
-- such scans); equality searches and counts use the same indexes.
DROP INDEX audit_event_subject_idx;
DROP INDEX audit_event_serial_idx;
DROP INDEX audit_event_cert_idx;
DROP INDEX audit_event_approval_idx;

CREATE INDEX audit_event_subject_time_idx ON audit_event (lower(principal_subject), time, node_id, seq)
    WHERE principal_subject IS NOT NULL;
CREATE INDEX audit_event_serial_time_idx ON audit_event (principal_serial, time, node_id, seq)
    WHERE principal_serial IS NOT NULL;
CREATE INDEX audit_event_cert_time_idx ON audit_event (principal_sha256, time, node_id, seq)
    WHERE principal_sha256 IS NOT NULL;
CREATE INDEX audit_event_approval_time_idx ON audit_event (approval_ref, time, node_id, seq)
    WHERE approval_ref IS NOT NULL;

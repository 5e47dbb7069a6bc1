-- Searches for people (issue 13): newest first, by principal however its DN is written, by approval.
-- On a partitioned table an index created on the parent is created on every partition, present and
-- future (audit_ensure_partition needs no change). Not CONCURRENTLY: PostgreSQL cannot build a
-- partitioned index concurrently, and the migration runs before the gateway accepts connections.

-- Newest first with a keyset cursor: ORDER BY time DESC, node_id DESC, seq DESC and
-- (time, node_id, seq) < cursor read straight down this index. It serves every time-range filter the
-- time index served, so that one goes (one index to maintain per insert, not two).
CREATE INDEX audit_event_time_key_idx ON audit_event (time, node_id, seq);
DROP INDEX audit_event_time_idx;

-- Principal: the subject compared lower-cased (PrincipalMatch sends every written form lower-cased by
-- the same lower()), the serial and the fingerprint as stored. Events without a principal (most
-- connection refusals) are not indexed.
CREATE INDEX audit_event_subject_idx ON audit_event (lower(principal_subject)) WHERE principal_subject IS NOT NULL;
CREATE INDEX audit_event_serial_idx ON audit_event (principal_serial) WHERE principal_serial IS NOT NULL;
CREATE INDEX audit_event_cert_idx ON audit_event (principal_sha256) WHERE principal_sha256 IS NOT NULL;

-- Everything that happened under one approval.
CREATE INDEX audit_event_approval_idx ON audit_event (approval_ref) WHERE approval_ref IS NOT NULL;

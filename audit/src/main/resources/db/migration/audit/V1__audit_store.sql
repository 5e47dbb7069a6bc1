-- The audit store: append-only, partitioned by month, one hash chain per node.
-- Grants to the application role are applied by the application after migration
-- (the role name is configuration, not schema).

CREATE TABLE audit_event (
    node_id          text        NOT NULL,
    seq              bigint      NOT NULL,   -- position in the node's chain: 1, 2, 3, ... without gaps
    time             timestamptz NOT NULL,   -- UTC, microseconds
    event_type       text        NOT NULL,
    outcome          text        NOT NULL,
    reason           text,
    principal_subject text,
    principal_serial text,
    principal_sha256 text,
    source_ip        text,                   -- kept as written (hashed text); cast to inet for CIDR search
    source_port      integer,
    listener_port    integer,
    route_id         text,
    approval_ref     text,
    transfer_id      text,
    byte_count       bigint,
    payload_sha256   text,
    request_id       text,
    detail           text,                   -- JSON as given: jsonb would re-serialise and break the hash
    prev_hash        text        NOT NULL,
    hash             text        NOT NULL,
    PRIMARY KEY (node_id, seq, time)
) PARTITION BY RANGE (time);

CREATE INDEX audit_event_time_idx ON audit_event (time);
CREATE INDEX audit_event_transfer_idx ON audit_event (transfer_id) WHERE transfer_id IS NOT NULL;

-- Signed checkpoints: few rows (one per N events or T seconds), so not partitioned.
CREATE TABLE audit_checkpoint (
    node_id    text        NOT NULL,
    seq        bigint      NOT NULL,   -- the event this checkpoint seals
    time       timestamptz NOT NULL,
    hash       text        NOT NULL,   -- that event's chain hash
    key_id     text        NOT NULL,   -- SHA-256 (hex, 16 chars) of the signing key's SubjectPublicKeyInfo
    algorithm  text        NOT NULL,
    signature  text        NOT NULL,   -- base64
    PRIMARY KEY (node_id, seq)
);

-- Append-only for everyone, owner and superuser included: tampering needs the trigger disabled,
-- which the hash chain then reveals.
CREATE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();

-- Creates the month partition holding ts. SECURITY DEFINER so the application role, which may only
-- INSERT and SELECT, can still open a new month; it can do nothing else with it.
CREATE FUNCTION audit_ensure_partition(ts timestamptz) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    month_start timestamptz := date_trunc('month', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    month_end   timestamptz := (date_trunc('month', ts AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
    part        text := 'audit_event_' || to_char(ts AT TIME ZONE 'UTC', 'YYYYMM');
    sch         text := '${flyway:defaultSchema}';
BEGIN
    IF to_regclass(format('%I.%I', sch, part)) IS NULL THEN
        BEGIN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.audit_event FOR VALUES FROM (%L) TO (%L)',
                           sch, part, sch, month_start, month_end);
            -- a partition truncated directly would not fire the parent's statement trigger
            EXECUTE format('CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON %I.%I '
                           'FOR EACH STATEMENT EXECUTE FUNCTION %I.audit_reject_change()', sch, part, sch);
        EXCEPTION WHEN duplicate_table THEN
            NULL; -- another writer created it first
        END;
    END IF;
    RETURN part;
END $$;

REVOKE ALL ON FUNCTION audit_ensure_partition(timestamptz) FROM PUBLIC;

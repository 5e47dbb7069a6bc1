-- Every node's audit signing keys (issue 15): which public key signs which node's checkpoints, who
-- registered it and when, and when it was retired by a rotation. Verify reads this table as the key set;
-- every row must also appear in the node's own hash chain (AUDIT_KEY_REGISTERED / AUDIT_KEY_ROTATED),
-- so a row added here by hand without a chain event is reported as a forgery.
CREATE TABLE audit_signing_key (
    node_id        text        NOT NULL,
    key_id         text        NOT NULL,   -- first 16 hex digits of SHA-256 over the SubjectPublicKeyInfo
    algorithm      text        NOT NULL,
    public_key_pem text        NOT NULL,
    fingerprint    text        NOT NULL,   -- the full SHA-256 (hex) of the SubjectPublicKeyInfo
    registered_at  timestamptz NOT NULL,
    registered_by  text        NOT NULL,   -- the node and the operating-system user that registered it
    origin         text        NOT NULL CHECK (origin IN ('first-start', 'adopted', 'rotation')),
    retired_at     timestamptz,
    PRIMARY KEY (node_id, key_id)
);

-- One active key per node: two gateways racing to register cannot both win.
CREATE UNIQUE INDEX audit_signing_key_active_idx ON audit_signing_key (node_id) WHERE retired_at IS NULL;

-- Append-only like the other audit tables, with one exception: retired_at may be set once, from NULL,
-- and nothing else in the row may change with it.
CREATE FUNCTION audit_signing_key_retire_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.retired_at IS NOT NULL OR NEW.retired_at IS NULL
            OR (NEW.node_id, NEW.key_id, NEW.algorithm, NEW.public_key_pem, NEW.fingerprint, NEW.registered_at,
                NEW.registered_by, NEW.origin)
               IS DISTINCT FROM (OLD.node_id, OLD.key_id, OLD.algorithm, OLD.public_key_pem, OLD.fingerprint,
                OLD.registered_at, OLD.registered_by, OLD.origin) THEN
        RAISE EXCEPTION 'audit signing keys are append-only (retired_at may be set once): UPDATE refused'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER audit_signing_key_retire_only BEFORE UPDATE ON audit_signing_key
    FOR EACH ROW EXECUTE FUNCTION audit_signing_key_retire_only();
CREATE TRIGGER audit_signing_key_no_delete BEFORE DELETE ON audit_signing_key
    FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_signing_key_no_truncate BEFORE TRUNCATE ON audit_signing_key
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();

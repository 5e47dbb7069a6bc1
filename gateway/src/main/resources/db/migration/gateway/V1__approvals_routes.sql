-- Council approvals, their decision history, and the routes that depend on them.
-- The decision history is append-only like the audit log: it is the record of who decided what.

CREATE TABLE approval (
    ref                   text PRIMARY KEY,
    title                 text        NOT NULL,
    legal_basis           text        NOT NULL,
    departments           text[]      NOT NULL,
    contractor            text        NOT NULL,
    subcontractors        text[]      NOT NULL,
    data_items            text[]      NOT NULL,
    max_records           bigint      NOT NULL CHECK (max_records >= 0),
    valid_from            date        NOT NULL,
    valid_until           date        NOT NULL,
    conditions_text       text        NOT NULL,
    delete_after_delivery boolean     NOT NULL,
    deletion_report_due   date,
    meeting_ref           text,
    status                text        NOT NULL,
    before_suspension     text,
    pending_decision      text,
    pending_by_subject    text,
    pending_by_sha256     text,
    pending_at            timestamptz,
    pending_reason        text,
    version               bigint      NOT NULL,
    updated_at            timestamptz NOT NULL,
    CHECK (valid_from <= valid_until)
);

CREATE TABLE approval_decision (
    id                   bigserial PRIMARY KEY,
    ref                  text        NOT NULL REFERENCES approval (ref),
    decision             text        NOT NULL,
    by_subject           text        NOT NULL,
    by_sha256            text        NOT NULL,
    confirmed_by_subject text,
    confirmed_by_sha256  text,
    at                   timestamptz NOT NULL,
    reason               text        NOT NULL,
    before_status        text        NOT NULL,
    after_status         text        NOT NULL
);
CREATE INDEX approval_decision_ref ON approval_decision (ref, id);

CREATE FUNCTION approval_decision_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'approval_decision is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER approval_decision_no_update BEFORE UPDATE OR DELETE ON approval_decision
    FOR EACH ROW EXECUTE FUNCTION approval_decision_append_only();
CREATE TRIGGER approval_decision_no_truncate BEFORE TRUNCATE ON approval_decision
    FOR EACH STATEMENT EXECUTE FUNCTION approval_decision_append_only();

CREATE TABLE route (
    id                text PRIMARY KEY,
    listener          text        NOT NULL,
    approval_ref      text        NOT NULL REFERENCES approval (ref),
    max_payload_bytes bigint      NOT NULL CHECK (max_payload_bytes > 0),
    retention_seconds bigint      NOT NULL CHECK (retention_seconds > 0),
    allow_cbc         boolean     NOT NULL,
    recipients        text[]      NOT NULL,
    updated_at        timestamptz NOT NULL
);

CREATE TABLE route_party (
    route_id text    NOT NULL REFERENCES route (id) ON DELETE CASCADE,
    role     text    NOT NULL CHECK (role IN ('SENDER', 'RECEIVER')),
    position int     NOT NULL,
    subject  text,
    sha256   text,
    allow    text[]  NOT NULL,
    PRIMARY KEY (route_id, role, position)
);

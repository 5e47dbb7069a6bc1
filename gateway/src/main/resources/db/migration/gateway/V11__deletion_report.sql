-- Issue 16: the contractor's deletion report (廃棄報告). The signed original (CMS SignedData over the
-- manifest, DER) is kept as received: it is the evidence, checkable by anyone with the signer's
-- certificate; the columns beside it are what the gateway read from it when it accepted it, so that
-- reports and the console need not parse it again. Only accepted reports are stored; a refused one
-- is an audit event with its reason.
CREATE TABLE deletion_report (
    id                 text        PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{8,64}$'),
    approval_ref       text        NOT NULL CHECK (length(approval_ref) <= 200),
    submitted_at       timestamptz NOT NULL,
    submitted_by       text        NOT NULL CHECK (length(submitted_by) <= 1000),
    node               text        NOT NULL CHECK (length(node) <= 64),
    signer_subject     text        NOT NULL CHECK (length(signer_subject) <= 1000),
    signer_cert_sha256 text        NOT NULL CHECK (signer_cert_sha256 ~ '^[0-9a-f]{64}$'),
    manifest_sha256    text        NOT NULL CHECK (manifest_sha256 ~ '^[0-9a-f]{64}$'),
    responsible        text        NOT NULL CHECK (length(responsible) <= 200),
    transfer_count     integer     NOT NULL CHECK (transfer_count >= 0),
    deleted_until      timestamptz NOT NULL,
    signed_original    bytea       NOT NULL CHECK (octet_length(signed_original) <= 1048576)
);
CREATE INDEX deletion_report_approval ON deletion_report (approval_ref, submitted_at);

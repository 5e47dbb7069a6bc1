-- Transfers: one batch file on one route. The payload itself lives in the spool folder of the node
-- that received it (data-dir/spool); this row is its state, its declared facts and its receipt.

CREATE TABLE transfer (
    id               text PRIMARY KEY,
    route_id         text        NOT NULL,
    approval_ref     text        NOT NULL,
    node             text        NOT NULL,
    sender_subject   text        NOT NULL,
    sender_sha256    text        NOT NULL,
    filename         text        NOT NULL,
    length           bigint      NOT NULL CHECK (length >= 0),
    sha256           text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    records          bigint      NOT NULL CHECK (records >= 0),
    upload_offset    bigint      NOT NULL CHECK (upload_offset >= 0 AND upload_offset <= length),
    state            text        NOT NULL CHECK (state IN ('UPLOADING', 'STORED', 'DELIVERED', 'ACKNOWLEDGED',
                                                           'PURGED', 'REJECTED', 'EXPIRED', 'ABORTED')),
    reason           text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    stored_at        timestamptz,
    delivered_at     timestamptz,
    acknowledged_at  timestamptz,
    expires_at       timestamptz NOT NULL,
    receipt          text
);
CREATE INDEX transfer_route_state ON transfer (route_id, state, stored_at);
CREATE INDEX transfer_node_state ON transfer (node, state);

-- Issue 14: relay routes. Named terminals reach an upstream web system through one relay listener
-- while the approval is in force. The whole route is one canonical JSON text (RelaySpec), sealed
-- like a route row (PolicySeal): a row changed outside the gateway no longer matches its seal and
-- the relay refuses everything (APPROVAL_TAMPERED). Listener and approval are columns as well, for
-- the foreign key and for one relay route per relay listener; the seal covers them through the spec.
CREATE TABLE relay_route (
    id           text PRIMARY KEY,
    listener     text        NOT NULL,
    approval_ref text        NOT NULL REFERENCES approval (ref),
    spec         text        NOT NULL,
    seal         text,
    updated_at   timestamptz NOT NULL,
    -- deferred: one file may move relay routes between listeners
    CONSTRAINT relay_route_one_per_listener UNIQUE (listener) DEFERRABLE INITIALLY DEFERRED
);

-- Issue 15: several nodes share one database. Secrets that must be the same on every node (the
-- policy seal key) are recorded here by their key id only, never the key: a node that starts with
-- another key (not copied, or lost and made anew) is refused at start instead of reading every
-- approval as tampered and sealing its own rows under a key the other nodes reject.
CREATE TABLE installation_key (
    kind          text PRIMARY KEY CHECK (kind IN ('policy-seal')),
    key_id        text NOT NULL CHECK (key_id ~ '^[0-9a-f]{16}$'),
    registered_at timestamptz NOT NULL,
    registered_by text NOT NULL CHECK (length(registered_by) <= 200)
);

-- Issue 15: several gateway nodes share one spool folder. The folder holds a marker file
-- (.sekisho-spool) naming a spool id; the store records the id the first node saw, so a node whose
-- spool is not mounted (or is another folder) refuses to start instead of taking every transfer's
-- file for missing. One row at most: the first node to start inserts it (ON CONFLICT DO NOTHING).
CREATE TABLE spool_identity (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    spool_id   text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL
);

-- Issue 19: routes can be removed. A deleted route keeps its row (history: who deleted it, when and
-- why, and its last spec) but no longer opens anything. The deletion is under the row's seal
-- (PolicySeal, a "deleted" content kind), so clearing deleted_at by SQL leaves a seal that matches
-- no live route: the row reads as tampered, not as a resurrected route. A deleted id is not reused.
ALTER TABLE route ADD COLUMN deleted_at timestamptz;
ALTER TABLE route ADD COLUMN deleted_by text;
ALTER TABLE route ADD COLUMN deleted_reason text;
ALTER TABLE relay_route ADD COLUMN deleted_at timestamptz;
ALTER TABLE relay_route ADD COLUMN deleted_by text;
ALTER TABLE relay_route ADD COLUMN deleted_reason text;
ALTER TABLE route ADD CONSTRAINT route_deleted_whole
    CHECK ((deleted_at IS NULL) = (deleted_by IS NULL) AND (deleted_at IS NULL) = (deleted_reason IS NULL));
ALTER TABLE relay_route ADD CONSTRAINT relay_route_deleted_whole
    CHECK ((deleted_at IS NULL) = (deleted_by IS NULL) AND (deleted_at IS NULL) = (deleted_reason IS NULL));
-- a deleted relay route no longer holds its listener: one live relay route per relay listener
ALTER TABLE relay_route DROP CONSTRAINT relay_route_one_per_listener;
ALTER TABLE relay_route ADD CONSTRAINT relay_route_one_live_per_listener
    EXCLUDE USING btree (listener WITH =) WHERE (deleted_at IS NULL) DEFERRABLE INITIALLY DEFERRED;

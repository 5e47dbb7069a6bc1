-- Issue 13: the console's route page lists a route's transfers in flight and its most recently
-- ended ones, newest first, and the routes list counts both. Transfer rows are never deleted, so
-- without these a page would read every transfer the route ever carried. Partial indexes: the
-- states here are written exactly as TransferRepository's queries write them.
-- (V6: V5 is the approvals' migration of the same issue, made on another branch.)
CREATE INDEX transfer_route_in_flight ON transfer (route_id, created_at DESC)
    WHERE state IN ('UPLOADING', 'STORED', 'DELIVERED');
CREATE INDEX transfer_route_ended ON transfer (route_id, updated_at DESC)
    WHERE state IN ('ACKNOWLEDGED', 'PURGED', 'REJECTED', 'EXPIRED', 'ABORTED');

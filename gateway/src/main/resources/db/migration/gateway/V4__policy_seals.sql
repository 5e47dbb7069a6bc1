-- Issue 12: approval and route rows carry an HMAC seal made with a key the database does not hold
-- (data/policy-seal.key), so a row changed or inserted outside the gateway is detected, not trusted.
-- An approval's seal also covers how many decisions its history held when it was written: rolling a
-- row back to an earlier sealed version is detected while the history stays append-only.
ALTER TABLE approval ADD COLUMN seal text;
ALTER TABLE route ADD COLUMN seal text;

-- tus creation-defer-length: an upload may be created before its envelope's length and SHA-256 are
-- known (the client seals while it uploads) and declare both by a later PATCH. Whatever is stored,
-- delivered or receipted has them.

ALTER TABLE transfer ALTER COLUMN length DROP NOT NULL,
                     ALTER COLUMN sha256 DROP NOT NULL;
-- the column checks on length (>= 0) and sha256 (hex) let NULL pass; the offset check (named
-- transfer_check by PostgreSQL, as it spans two columns) is made explicit about a NULL length
ALTER TABLE transfer DROP CONSTRAINT transfer_check;
ALTER TABLE transfer ADD CONSTRAINT transfer_upload_offset_check
    CHECK (upload_offset >= 0 AND upload_offset <= coalesce(length, upload_offset));
-- every transfer that reached the envelope check has both; one that ended unfinished (EXPIRED,
-- ABORTED) may never have declared them
ALTER TABLE transfer ADD CONSTRAINT transfer_declared_check
    CHECK ((length IS NOT NULL AND sha256 IS NOT NULL)
           OR state NOT IN ('STORED', 'DELIVERED', 'ACKNOWLEDGED', 'PURGED', 'REJECTED'));

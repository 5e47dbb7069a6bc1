-- Issue 18: envelopes may be compressed inside (RFC 3274 CompressedData, zlib) before encryption.
-- A route whose contractor opens envelopes with stock openssl (Debian's is built without zlib)
-- sets compression: false, and the gateway refuses compressed envelopes on it
-- (COMPRESSION_NOT_ALLOWED). Existing rows read as compression allowed; the route's seal covers the
-- flag only when it is false, so rows sealed before this migration keep their seals.
ALTER TABLE route ADD COLUMN compression boolean NOT NULL DEFAULT true;

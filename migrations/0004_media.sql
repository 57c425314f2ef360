-- The media repository's metadata (issue: media). Bytes live in R2: each stored copy of
-- some content is one "blob" under a random key; media rows with the same sha256 share
-- one blob ("identical content may be stored once"). Thumbnails are cached in R2 under
-- `thumb/<blob_key>/...` and go when their blob goes.
CREATE TABLE media (
  origin TEXT NOT NULL,                  -- '' for our own media; the server name for a remote cache entry
  media_id TEXT NOT NULL,                -- [A-Za-z0-9_-]+, random for local media
  user_id TEXT,                          -- the uploader (NULL for remote media)
  content_type TEXT,                     -- as uploaded; NULL until uploaded
  upload_name TEXT,                      -- the `filename` given at upload, if any
  size INTEGER,                          -- bytes; NULL until uploaded
  sha256 TEXT,                           -- hex digest of the content; NULL until uploaded
  blob_key TEXT,                         -- R2 key of the bytes; NULL until uploaded
  created_ts INTEGER NOT NULL,           -- ms; for remote media, when the cache was populated (the freeze uses it)
  uploaded_ts INTEGER,                   -- ms; NULL = created by POST /media/v1/create, not uploaded yet
  unused_expires_ts INTEGER,             -- ms; a created-but-unused ID expires then
  quarantined_by TEXT,                   -- the admin who quarantined it; NULL = not quarantined
  quarantined_ts INTEGER,
  PRIMARY KEY (origin, media_id)
);
CREATE INDEX media_user ON media (user_id, created_ts);
CREATE INDEX media_sha256 ON media (sha256);
CREATE INDEX media_blob ON media (blob_key);

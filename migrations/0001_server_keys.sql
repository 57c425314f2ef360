-- The server's own ed25519 signing keys. Exactly one row is current (is_current = 1); a
-- retired key keeps its row with is_current NULL and expired_ts set, and is published in
-- old_verify_keys. The UNIQUE constraint is what makes concurrent first requests agree.
CREATE TABLE server_signing_keys (
  key_id TEXT PRIMARY KEY,
  seed TEXT NOT NULL,           -- unpadded base64 of the 32-byte private seed
  public_key TEXT NOT NULL,     -- unpadded base64
  created_ts INTEGER NOT NULL,
  expired_ts INTEGER,
  is_current INTEGER UNIQUE CHECK (is_current IS NULL OR is_current = 1)
);

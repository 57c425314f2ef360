-- Accounts, devices, sessions and registration (issue: accounts).
CREATE TABLE users (
  user_id TEXT PRIMARY KEY,                 -- full MXID, @localpart:server
  localpart TEXT NOT NULL UNIQUE,           -- lower-cased; never reused, even after deactivation
  password_hash TEXT,                       -- versioned: see src/services/passwords.ts; NULL = no password login
  is_admin INTEGER NOT NULL DEFAULT 0,
  is_guest INTEGER NOT NULL DEFAULT 0,
  deactivated INTEGER NOT NULL DEFAULT 0,
  user_type TEXT,
  created_ts INTEGER NOT NULL
);

CREATE TABLE devices (
  user_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  display_name TEXT,
  last_seen_ts INTEGER,
  last_seen_ip TEXT,
  created_ts INTEGER NOT NULL,
  PRIMARY KEY (user_id, device_id)
);

-- Tokens are stored only as SHA-256 hashes (unpadded base64url).
CREATE TABLE access_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  expires_ts INTEGER,                        -- NULL = does not expire
  refresh_token_hash TEXT,                   -- the refresh token issued with it, if any
  created_ts INTEGER NOT NULL
);
CREATE INDEX access_tokens_device ON access_tokens (user_id, device_id);

CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  created_ts INTEGER NOT NULL
);
CREATE INDEX refresh_tokens_device ON refresh_tokens (user_id, device_id);

-- User-interactive auth sessions.
CREATE TABLE uia_sessions (
  session_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,                        -- which operation started it (register, password, ...)
  user_id TEXT,                              -- the user who must complete it (NULL for register)
  completed TEXT NOT NULL DEFAULT '[]',      -- JSON array of completed stage types
  registration_token TEXT,                   -- token whose use is pending for this session
  created_ts INTEGER NOT NULL
);

CREATE TABLE registration_tokens (
  token TEXT PRIMARY KEY,
  uses_allowed INTEGER,                      -- NULL = unlimited
  pending INTEGER NOT NULL DEFAULT 0,
  completed INTEGER NOT NULL DEFAULT 0,
  expiry_time INTEGER                        -- ms since epoch; NULL = never
);

-- Single-use nonces for Synapse-style shared-secret registration.
CREATE TABLE registration_nonces (
  nonce TEXT PRIMARY KEY,
  created_ts INTEGER NOT NULL
);

CREATE TABLE profiles (
  user_id TEXT NOT NULL,
  field TEXT NOT NULL,                       -- displayname, avatar_url, or an extended field (v1.16+)
  value TEXT NOT NULL,                       -- JSON
  PRIMARY KEY (user_id, field)
);

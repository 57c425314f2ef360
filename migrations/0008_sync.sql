-- Sync (issue: sync): presence. The sync stream itself lives in each User Durable Object's
-- own SQLite (durable-objects/user/user-schema.md); D1 holds only what is looked up across
-- users: each local user's presence, read by everyone who shares a room with them.
CREATE TABLE presence (
  user_id TEXT PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('online', 'unavailable', 'offline')),
  status_msg TEXT,
  -- "the last time it saw a pro-active event from the user" (ms)
  last_active_ts INTEGER NOT NULL,
  -- the last /sync or presence update from any of the user's clients (ms), for going offline
  last_seen_ts INTEGER NOT NULL,
  -- bumped by each change the user's contacts are told about (the User objects'
  -- presence position for this user)
  serial INTEGER NOT NULL
);

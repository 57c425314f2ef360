-- Rooms in D1: what the Worker needs without waking a room's Durable Object. The rooms'
-- histories live in each Room object's own SQLite (durable-objects/room/room-schema.md).

-- One row per room this server created or joined.
CREATE TABLE rooms (
  room_id TEXT PRIMARY KEY,
  room_version TEXT NOT NULL,
  creator TEXT NOT NULL,
  created_ts INTEGER NOT NULL
);

-- Local room aliases (#alias:server → room).
CREATE TABLE room_aliases (
  alias TEXT PRIMARY KEY,
  room_id TEXT NOT NULL,
  creator TEXT NOT NULL,
  created_ts INTEGER NOT NULL
);
CREATE INDEX room_aliases_by_room ON room_aliases (room_id);

-- The published room directory.
CREATE TABLE room_directory (
  room_id TEXT PRIMARY KEY,
  visibility TEXT NOT NULL CHECK (visibility IN ('public', 'private'))
);

-- The membership index, written only by the Room objects' outbox (at-least-once, in any
-- order): a row changes only when the incoming stream is newer, so receivers de-duplicate
-- by (room, stream). `stream` is the room's stream position of `event_id`.
CREATE TABLE room_memberships (
  user_id TEXT NOT NULL,
  room_id TEXT NOT NULL,
  membership TEXT NOT NULL,
  event_id TEXT NOT NULL,
  stream INTEGER NOT NULL,
  updated_ts INTEGER NOT NULL,
  PRIMARY KEY (user_id, room_id)
);
CREATE INDEX room_memberships_by_room ON room_memberships (room_id, membership);

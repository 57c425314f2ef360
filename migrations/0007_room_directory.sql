-- Published room directory summaries (issue: rooms, client-server "Published room directory").
-- A small denormalised copy of the state `/publicRooms` shows, so listing the directory does
-- not wake every room's Durable Object. Written by src/services/rooms/directory.ts
-- (`refreshRoomSummary`) whenever one of the summarised state events changes; the joined
-- member count is read live from the membership index (room_memberships), not stored here.
CREATE TABLE room_summaries (
  room_id TEXT PRIMARY KEY,
  name TEXT,                                  -- m.room.name `name`
  topic TEXT,                                 -- the text/plain topic of m.room.topic
  canonical_alias TEXT,                       -- m.room.canonical_alias `alias`
  avatar_url TEXT,                            -- m.room.avatar `url`
  join_rule TEXT,                             -- m.room.join_rules `join_rule`
  history_visibility TEXT,                    -- m.room.history_visibility
  guest_access TEXT,                          -- m.room.guest_access
  room_type TEXT,                             -- m.room.create `type`
  updated_ts INTEGER NOT NULL
);

-- Rooms a user has forgotten (client-server POST /rooms/{roomId}/forget). `stream` is the
-- room's stream position of the user's membership event when they forgot it: the room stays
-- forgotten while room_memberships.stream is no newer ("until the user re-joins, is
-- re-invited, or knocks"), so no one has to clear the row.
CREATE TABLE room_forgotten (
  user_id TEXT NOT NULL,
  room_id TEXT NOT NULL,
  stream INTEGER NOT NULL,
  forgotten_ts INTEGER NOT NULL,
  PRIMARY KEY (user_id, room_id)
);

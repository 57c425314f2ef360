-- Account data and filters (issue: accounts).

-- Client config (client-server "Client Config"): global (room_id = '') and per-room entries.
-- stream_id orders changes for /sync: every write takes the next value of the one global
-- counter below, so a later write always has a larger stream_id than anything a client has
-- already seen, even if rows are later removed.
CREATE TABLE account_data (
  user_id TEXT NOT NULL,
  room_id TEXT NOT NULL DEFAULT '',           -- '' for global account data
  type TEXT NOT NULL,
  content TEXT NOT NULL,                       -- JSON object
  stream_id INTEGER NOT NULL,
  PRIMARY KEY (user_id, room_id, type)
);
CREATE INDEX account_data_stream ON account_data (user_id, stream_id);

-- The single row holding the last stream_id handed out to account_data.
CREATE TABLE account_data_stream_position (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  position INTEGER NOT NULL
);
INSERT INTO account_data_stream_position (id, position) VALUES (1, 0);

-- Uploaded filters (client-server "Filtering"). filter_id is per user, counting from 0,
-- and published as its decimal string (it "cannot start with a `{`").
CREATE TABLE filters (
  user_id TEXT NOT NULL,
  filter_id INTEGER NOT NULL,
  filter_json TEXT NOT NULL,                   -- canonical JSON of the filter as uploaded
  PRIMARY KEY (user_id, filter_id)
);

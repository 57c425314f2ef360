-- Room directory summaries record the room's stream position of the state they summarise.
-- Both the room object (its outbox, kind 'summary', after any change of summarised state:
-- client sends, redactions, federation, state resolution) and the rooms services write them;
-- src/db/directory.ts `upsertSummary` keeps the summary of the later position.
ALTER TABLE room_summaries ADD COLUMN stream INTEGER NOT NULL DEFAULT 0;

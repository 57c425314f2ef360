-- Push rules (client-server "Push Rules"). The server-default rules are not stored: they come
-- from src/core/push/default-rules.ts, so a spec update reaches every user at once.

-- User-defined rules. `position` orders the rules of one (user, kind), lowest = most
-- important; it is rewritten for the whole kind whenever a rule is placed.
CREATE TABLE push_rules (
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('override', 'content', 'room', 'sender', 'underride')),
  rule_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  actions TEXT NOT NULL,                     -- JSON array
  conditions TEXT,                           -- JSON array; override and underride only
  pattern TEXT,                              -- content only
  enabled INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (user_id, kind, rule_id)
);

-- A user's changes to server-default rules: they can't be deleted or replaced, but their
-- `enabled` and `actions` can be set. NULL = the default's own value.
CREATE TABLE push_rule_default_changes (
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  enabled INTEGER,
  actions TEXT,                              -- JSON array
  PRIMARY KEY (user_id, kind, rule_id)
);

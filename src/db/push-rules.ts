// D1 access for push rules (migrations/0003_push_rules.sql): user-defined rules in priority
// order, and per-user changes to server-default rules.

export interface PushRuleRow {
  kind: string;
  rule_id: string;
  position: number;
  actions: string;
  conditions: string | null;
  pattern: string | null;
  enabled: number;
}

export interface DefaultChangeRow {
  kind: string;
  rule_id: string;
  enabled: number | null;
  actions: string | null;
}

/** Every user-defined rule, each kind's most important first. */
export async function listUserRules(db: D1Database, userId: string): Promise<PushRuleRow[]> {
  const { results } = await db
    .prepare(
      `SELECT kind, rule_id, position, actions, conditions, pattern, enabled FROM push_rules
       WHERE user_id = ?1 ORDER BY kind, position, rule_id`,
    )
    .bind(userId)
    .all<PushRuleRow>();
  return results;
}

/** The IDs of the user's rules of one kind, most important first. */
export async function listUserRuleIds(db: D1Database, userId: string, kind: string): Promise<string[]> {
  const { results } = await db
    .prepare('SELECT rule_id FROM push_rules WHERE user_id = ?1 AND kind = ?2 ORDER BY position, rule_id')
    .bind(userId, kind)
    .all<{ rule_id: string }>();
  return results.map((r) => r.rule_id);
}

/**
 * Creates or replaces a rule (keeping `enabled` on replace: only creation enables) and
 * renumbers the kind to `order`, atomically.
 */
export async function saveUserRule(
  db: D1Database,
  userId: string,
  rule: { kind: string; ruleId: string; actions: string; conditions: string | null; pattern: string | null },
  order: readonly string[],
): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT INTO push_rules (user_id, kind, rule_id, position, actions, conditions, pattern, enabled)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)
         ON CONFLICT (user_id, kind, rule_id) DO UPDATE
         SET actions = excluded.actions, conditions = excluded.conditions, pattern = excluded.pattern`,
      )
      .bind(userId, rule.kind, rule.ruleId, order.indexOf(rule.ruleId), rule.actions, rule.conditions, rule.pattern),
    // A rule added concurrently (not in `order`) keeps its old position.
    db
      .prepare(
        `UPDATE push_rules
         SET position = COALESCE((SELECT CAST(o.key AS INTEGER) FROM json_each(?3) AS o WHERE o.value = push_rules.rule_id), position)
         WHERE user_id = ?1 AND kind = ?2`,
      )
      .bind(userId, rule.kind, JSON.stringify(order)),
  ]);
}

/** Deletes a user-defined rule; false if there was none. */
export async function deleteUserRule(db: D1Database, userId: string, kind: string, ruleId: string): Promise<boolean> {
  const res = await db
    .prepare('DELETE FROM push_rules WHERE user_id = ?1 AND kind = ?2 AND rule_id = ?3')
    .bind(userId, kind, ruleId)
    .run();
  return res.meta.changes > 0;
}

/** Sets `enabled` or `actions` of a user-defined rule; false if there is no such rule. */
export async function updateUserRule(
  db: D1Database,
  userId: string,
  kind: string,
  ruleId: string,
  change: { enabled: boolean } | { actions: string },
): Promise<boolean> {
  const stmt =
    'enabled' in change
      ? db
          .prepare('UPDATE push_rules SET enabled = ?4 WHERE user_id = ?1 AND kind = ?2 AND rule_id = ?3')
          .bind(userId, kind, ruleId, change.enabled ? 1 : 0)
      : db
          .prepare('UPDATE push_rules SET actions = ?4 WHERE user_id = ?1 AND kind = ?2 AND rule_id = ?3')
          .bind(userId, kind, ruleId, change.actions);
  const res = await stmt.run();
  return res.meta.changes > 0;
}

export async function listDefaultChanges(db: D1Database, userId: string): Promise<DefaultChangeRow[]> {
  const { results } = await db
    .prepare('SELECT kind, rule_id, enabled, actions FROM push_rule_default_changes WHERE user_id = ?1')
    .bind(userId)
    .all<DefaultChangeRow>();
  return results;
}

/** Records a user's `enabled` or `actions` for a server-default rule. */
export async function upsertDefaultChange(
  db: D1Database,
  userId: string,
  kind: string,
  ruleId: string,
  change: { enabled: boolean } | { actions: string },
): Promise<void> {
  const stmt =
    'enabled' in change
      ? db
          .prepare(
            `INSERT INTO push_rule_default_changes (user_id, kind, rule_id, enabled) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (user_id, kind, rule_id) DO UPDATE SET enabled = excluded.enabled`,
          )
          .bind(userId, kind, ruleId, change.enabled ? 1 : 0)
      : db
          .prepare(
            `INSERT INTO push_rule_default_changes (user_id, kind, rule_id, actions) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (user_id, kind, rule_id) DO UPDATE SET actions = excluded.actions`,
          )
          .bind(userId, kind, ruleId, change.actions);
  await stmt.run();
}

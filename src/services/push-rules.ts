// Push rules: reading a user's ruleset (server defaults merged with their own rules and
// changes) and the operations of the /pushrules API. Outcomes are values; the route turns a
// failure into its Matrix error.
import {
  buildRuleset,
  checkUserRuleId,
  findRule,
  isDefaultRule,
  isServerDefaultRuleId,
  placeRule,
  type DefaultRuleChange,
  type PushAction,
  type PushRule,
  type PushRuleBody,
  type PushRuleKind,
  type PushRuleset,
  type UserPushRule,
} from '../core/push/ruleset.js';
import * as pushDb from '../db/push-rules.js';
import { setAccountData } from './account-data.js';

export {
  checkUserRuleId,
  isPushRuleKind,
  pushRuleActionsBodySchema,
  pushRuleBodySchema,
  pushRuleEnabledBodySchema,
  type PushRuleKind,
} from '../core/push/ruleset.js';

export type PushRuleOutcome = { ok: true } | { ok: false; errcode: 'M_NOT_FOUND' | 'M_INVALID_PARAM'; error: string };

const NOT_FOUND: PushRuleOutcome = { ok: false, errcode: 'M_NOT_FOUND', error: 'The push rule was not found.' };
const invalid = (error: string): PushRuleOutcome => ({ ok: false, errcode: 'M_INVALID_PARAM', error });

function parseJsonArray<T>(text: string | null): T[] | undefined {
  if (text === null) return undefined;
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? (value as T[]) : undefined;
}

/** The user's `global` ruleset: what GET /pushrules/global/ answers. */
export async function getRuleset(db: D1Database, userId: string): Promise<PushRuleset> {
  const [rows, changeRows] = await Promise.all([
    pushDb.listUserRules(db, userId),
    pushDb.listDefaultChanges(db, userId),
  ]);
  const rules: UserPushRule[] = rows.map((r) => ({
    kind: r.kind as PushRuleKind,
    ruleId: r.rule_id,
    enabled: r.enabled === 1,
    actions: parseJsonArray<PushAction>(r.actions) ?? [],
    conditions: parseJsonArray(r.conditions),
    pattern: r.pattern ?? undefined,
  }));
  const changes: DefaultRuleChange[] = changeRows.map((r) => ({
    kind: r.kind as PushRuleKind,
    ruleId: r.rule_id,
    enabled: r.enabled === null ? undefined : r.enabled === 1,
    actions: parseJsonArray<PushAction>(r.actions),
  }));
  return buildRuleset(userId, rules, changes);
}

/**
 * All of the user's rulesets, `{global}`: the response of GET /pushrules/ and the content of
 * the `m.push_rules` account data event ("The content of the event is the current push
 * rules for the user").
 */
export async function getPushRules(db: D1Database, userId: string): Promise<{ global: PushRuleset }> {
  return { global: await getRuleset(db, userId) };
}

/**
 * "When a user changes their push rules a `m.push_rules` event is sent to all clients in the
 * `account_data` section of their next /sync [...]. The content of the event is the current
 * push rules for the user." Each change writes the new ruleset at a new account-data position.
 */
async function publishPushRules(db: D1Database, userId: string): Promise<PushRuleOutcome> {
  await setAccountData(db, { userId, type: 'm.push_rules', content: await getPushRules(db, userId) });
  return { ok: true };
}

export async function getPushRule(
  db: D1Database,
  userId: string,
  kind: PushRuleKind,
  ruleId: string,
): Promise<PushRule | undefined> {
  return findRule(await getRuleset(db, userId), kind, ruleId);
}

/** PUT /pushrules/global/{kind}/{ruleId}: creates or replaces a user-defined rule. */
export async function setPushRule(
  db: D1Database,
  userId: string,
  kind: PushRuleKind,
  ruleId: string,
  body: PushRuleBody,
  anchors: { before?: string | undefined; after?: string | undefined },
): Promise<PushRuleOutcome> {
  const idCheck = checkUserRuleId(ruleId);
  if (!idCheck.ok) return invalid(idCheck.reason);
  const placed = placeRule(await pushDb.listUserRuleIds(db, userId, kind), ruleId, anchors);
  if (!placed.ok) return invalid(placed.reason);
  await pushDb.saveUserRule(
    db,
    userId,
    {
      kind,
      ruleId,
      actions: JSON.stringify(body.actions),
      conditions: kind === 'override' || kind === 'underride' ? JSON.stringify(body.conditions ?? []) : null,
      pattern: kind === 'content' ? (body.pattern ?? null) : null,
    },
    placed.order,
  );
  return publishPushRules(db, userId);
}

/** DELETE /pushrules/global/{kind}/{ruleId}: server-default rules can't be deleted. */
export async function deletePushRule(
  db: D1Database,
  userId: string,
  kind: PushRuleKind,
  ruleId: string,
): Promise<PushRuleOutcome> {
  if (isServerDefaultRuleId(ruleId)) {
    return isDefaultRule(userId, kind, ruleId) ? invalid('Server-default rules cannot be deleted') : NOT_FOUND;
  }
  if (!(await pushDb.deleteUserRule(db, userId, kind, ruleId))) return NOT_FOUND;
  return publishPushRules(db, userId);
}

/** PUT .../enabled and PUT .../actions: allowed on server-default rules too. */
async function changeRule(
  db: D1Database,
  userId: string,
  kind: PushRuleKind,
  ruleId: string,
  change: { enabled: boolean } | { actions: string },
): Promise<PushRuleOutcome> {
  if (isServerDefaultRuleId(ruleId)) {
    if (!isDefaultRule(userId, kind, ruleId)) return NOT_FOUND;
    await pushDb.upsertDefaultChange(db, userId, kind, ruleId, change);
  } else if (!(await pushDb.updateUserRule(db, userId, kind, ruleId, change))) {
    return NOT_FOUND;
  }
  return publishPushRules(db, userId);
}

export function setPushRuleEnabled(
  db: D1Database,
  userId: string,
  kind: PushRuleKind,
  ruleId: string,
  enabled: boolean,
): Promise<PushRuleOutcome> {
  return changeRule(db, userId, kind, ruleId, { enabled });
}

export function setPushRuleActions(
  db: D1Database,
  userId: string,
  kind: PushRuleKind,
  ruleId: string,
  actions: PushAction[],
): Promise<PushRuleOutcome> {
  return changeRule(db, userId, kind, ruleId, { actions: JSON.stringify(actions) });
}

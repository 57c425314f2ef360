// A user's push ruleset (client-server "Push Rules"): merging the user's own rules with the
// server-default rules, where a rule goes on `before`/`after`, which rule IDs a user may
// create, and the shapes of rule bodies, actions and conditions. Evaluation is elsewhere.
import * as z from 'zod';
import {
  PUSH_RULE_KINDS,
  defaultPushRules,
  type PushAction,
  type PushCondition,
  type PushRule,
  type PushRuleKind,
  type PushRuleset,
} from './default-rules.js';

export { PUSH_RULE_KINDS, defaultPushRules };
export type { PushAction, PushCondition, PushRule, PushRuleKind, PushRuleset };

export const MASTER_RULE_ID = '.m.rule.master';

export function isPushRuleKind(kind: string): kind is PushRuleKind {
  return (PUSH_RULE_KINDS as readonly string[]).includes(kind);
}

/** "The `rule_id` for all server-default rules MUST start with a dot". */
export function isServerDefaultRuleId(ruleId: string): boolean {
  return ruleId.startsWith('.');
}

export type Check = { ok: true } | { ok: false; reason: string };

/**
 * Whether a user may create or replace a rule with this ID. "If the string starts with a dot
 * ("."), the request MUST be rejected as this is reserved for server-default rules. Slashes
 * ("/") and backslashes ("\\") are also not allowed."
 */
export function checkUserRuleId(ruleId: string): Check {
  if (ruleId === '') return { ok: false, reason: 'Rule ID must not be empty' };
  if (isServerDefaultRuleId(ruleId)) {
    return { ok: false, reason: "Rule IDs starting with '.' are reserved for server-default rules" };
  }
  if (/[/\\]/.test(ruleId)) return { ok: false, reason: 'Rule IDs must not contain slashes or backslashes' };
  return { ok: true };
}

/** A user-defined rule as stored; each kind's rules are kept most important first. */
export interface UserPushRule {
  kind: PushRuleKind;
  ruleId: string;
  enabled: boolean;
  actions: PushAction[];
  conditions?: PushCondition[] | undefined;
  pattern?: string | undefined;
}

/**
 * A user's change to a server-default rule. Server-default rules can't be deleted or
 * replaced, but "This can be used to change the actions of builtin rules", and any rule can
 * be enabled or disabled.
 */
export interface DefaultRuleChange {
  kind: PushRuleKind;
  ruleId: string;
  enabled?: boolean | undefined;
  actions?: PushAction[] | undefined;
}

/** The API form of a user-defined rule: `conditions` only for override/underride, `pattern` only for content. */
export function userRuleToPushRule(rule: UserPushRule): PushRule {
  const out: PushRule = { rule_id: rule.ruleId, default: false, enabled: rule.enabled, actions: rule.actions };
  if (rule.kind === 'override' || rule.kind === 'underride') out.conditions = rule.conditions ?? [];
  if (rule.kind === 'content' && rule.pattern !== undefined) out.pattern = rule.pattern;
  return out;
}

/**
 * The `global` ruleset. Server-default rules "operate at a lower priority than user-defined
 * rules, except for the `.m.rule.master` rule which has always a higher priority than any
 * other rule": each kind lists the user's rules (in the given order) before the defaults,
 * and `.m.rule.master` stays first among override rules.
 */
export function buildRuleset(
  userId: string,
  userRules: readonly UserPushRule[],
  changes: readonly DefaultRuleChange[] = [],
): PushRuleset {
  const defaults = defaultPushRules(userId);
  const changed = new Map(changes.map((ch) => [`${ch.kind}\u0000${ch.ruleId}`, ch]));
  const out = {} as PushRuleset;
  for (const kind of PUSH_RULE_KINDS) {
    const own = userRules.filter((r) => r.kind === kind).map(userRuleToPushRule);
    const defs = defaults[kind].map((r) => {
      const ch = changed.get(`${kind}\u0000${r.rule_id}`);
      return ch ? { ...r, enabled: ch.enabled ?? r.enabled, actions: ch.actions ?? r.actions } : r;
    });
    const first = kind === 'override' ? defs.filter((r) => r.rule_id === MASTER_RULE_ID) : [];
    out[kind] = [...first, ...own, ...defs.filter((r) => !first.includes(r))];
  }
  return out;
}

export function findRule(ruleset: PushRuleset, kind: PushRuleKind, ruleId: string): PushRule | undefined {
  return ruleset[kind].find((r) => r.rule_id === ruleId);
}

/** Whether `ruleId` names one of the spec's server-default rules of this kind. */
export function isDefaultRule(userId: string, kind: PushRuleKind, ruleId: string): boolean {
  return isServerDefaultRuleId(ruleId) && defaultPushRules(userId)[kind].some((r) => r.rule_id === ruleId);
}

export type Placement = { ok: true; order: string[] } | { ok: false; reason: string };

/**
 * Where a created or updated rule goes among the user's rules of its kind (`order`, most
 * important first), per PUT /pushrules: "If both `after` and `before` are provided, the new
 * or updated rule must be the next most important rule with respect to the rule identified
 * by `before`. If neither [...] are provided and the rule is created, it should be added as
 * the most important user defined rule". An updated rule with neither keeps its place.
 * "It is not possible to add a rule relative to a predefined server rule."
 */
export function placeRule(
  order: readonly string[],
  ruleId: string,
  anchors: { before?: string | undefined; after?: string | undefined },
): Placement {
  const before = anchors.before || undefined;
  const after = anchors.after || undefined;
  const anchor = before ?? after;
  if (anchor === undefined) {
    return { ok: true, order: order.includes(ruleId) ? [...order] : [ruleId, ...order] };
  }
  const which = before !== undefined ? 'before' : 'after';
  if (isServerDefaultRuleId(anchor)) {
    return { ok: false, reason: `Cannot place a rule relative to the server-default rule ${anchor}` };
  }
  if (anchor === ruleId) return { ok: false, reason: `A rule cannot be placed relative to itself` };
  const rest = order.filter((id) => id !== ruleId);
  const i = rest.indexOf(anchor);
  if (i < 0) return { ok: false, reason: `${which} rule not found: ${anchor}` };
  rest.splice(which === 'before' ? i : i + 1, 0, ruleId);
  return { ok: true, order: rest };
}

/**
 * "Older versions of the Matrix specification included the `dont_notify` and `coalesce`
 * actions. Clients and homeservers MUST ignore these actions, for instance, by stripping
 * them from actions arrays they encounter."
 */
export function stripHistoricalActions(actions: readonly PushAction[]): PushAction[] {
  return actions.filter((a) => a !== 'dont_notify' && a !== 'coalesce');
}

// --- Shapes of request bodies -------------------------------------------------------------

/** `notify` (or a historical action, stripped later), or `{set_tweak, value?}`. */
export const pushActionSchema = z.union([
  z.enum(['notify', 'dont_notify', 'coalesce'], { error: 'unknown action' }),
  z.looseObject({ set_tweak: z.string() }),
]);

export const pushActionsSchema = z.array(pushActionSchema).transform(stripHistoricalActions);

/** "only supports non-compound canonical JSON values": strings, safe integers, booleans, null. */
const canonicalScalar = z.union([
  z.string(),
  z.number().int().min(-(2 ** 53) + 1).max(2 ** 53 - 1),
  z.boolean(),
  z.null(),
]);

/** Required parameters of the condition kinds the spec defines. */
const conditionParams = new Map<string, z.ZodType>([
  ['event_match', z.looseObject({ key: z.string(), pattern: z.string() })],
  ['event_property_is', z.looseObject({ key: z.string(), value: canonicalScalar })],
  ['event_property_contains', z.looseObject({ key: z.string(), value: canonicalScalar })],
  // "A decimal integer optionally prefixed by one of, ==, <, >, >= or <=."
  ['room_member_count', z.looseObject({ is: z.string().regex(/^(==|<=|>=|<|>)?[0-9]+$/) })],
  ['sender_notification_permission', z.looseObject({ key: z.string() })],
]);

/** A condition: `kind` is required; "Unrecognised conditions MUST NOT match", so they are kept. */
export const pushConditionSchema = z.looseObject({ kind: z.string() }).superRefine((cond, ctx) => {
  const params = conditionParams.get(cond.kind);
  const result = params?.safeParse(cond);
  for (const issue of result?.error?.issues ?? []) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  }
});

/** The PUT body for a rule of `kind`; keys that don't apply to the kind are dropped. */
export function pushRuleBodySchema(kind: PushRuleKind) {
  switch (kind) {
    case 'content':
      return z.object({ actions: pushActionsSchema, pattern: z.string() });
    case 'override':
    case 'underride':
      // "A rule with no conditions always matches."
      return z.object({ actions: pushActionsSchema, conditions: z.array(pushConditionSchema).default([]) });
    case 'room':
    case 'sender':
      return z.object({ actions: pushActionsSchema });
  }
}

export type PushRuleBody = { actions: PushAction[]; conditions?: PushCondition[]; pattern?: string };

export const pushRuleEnabledBodySchema = z.object({ enabled: z.boolean() });
export const pushRuleActionsBodySchema = z.object({ actions: pushActionsSchema });

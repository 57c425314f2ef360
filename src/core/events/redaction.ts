// The redaction algorithm (client-server "Redactions"; room versions "Redactions":
// fragments v1-, v6-, v9-, v11-redactions and v8 inline), as one function driven by a rules
// object per room version. Redaction is used to serve redacted events, and to compute the
// reference hash and the signed form of every event (server-server "Signing Events").
//
// "Upon receipt of a redaction event, the server must strip off any keys not in the
// following list ... The content object must also be stripped of all keys, unless it is
// one of the following event types".
import { isJsonObject } from '../json/object.js';

export interface RedactionRules {
  /** v1-10 keep the top-level `origin`, `membership` and `prev_state`; v11: "no longer protected from redaction". */
  readonly keepOriginMembershipAndPrevState: boolean;
  /** v1-5: "`m.room.aliases` allows key `aliases`"; v6: "All significant meaning for `m.room.aliases` has been removed". */
  readonly keepRoomAliasesAliases: boolean;
  /** v8+: "`m.room.join_rules` events now keep `allow`". */
  readonly keepJoinRulesAllow: boolean;
  /** v9+: "`m.room.member` allows keys `membership`, `join_authorised_via_users_server`". */
  readonly keepMemberJoinAuthorisedViaUsersServer: boolean;
  /** v11+: member events keep "the `signed` key of the `third_party_invite` key". */
  readonly keepMemberThirdPartyInviteSigned: boolean;
  /** v11+: "`m.room.create` allows all keys" (before: only `creator`). */
  readonly keepAllCreateContent: boolean;
  /** v11+: "The `m.room.power_levels` event keeps the `invite` property under `content`". */
  readonly keepPowerLevelsInvite: boolean;
  /** v11+: "`m.room.redaction` allows key `redacts`" (under `content`). */
  readonly keepRedactionRedacts: boolean;
}

/** Rooms v1-5 (fragment v1-redactions). */
export const REDACTION_V1: RedactionRules = Object.freeze({
  keepOriginMembershipAndPrevState: true,
  keepRoomAliasesAliases: true,
  keepJoinRulesAllow: false,
  keepMemberJoinAuthorisedViaUsersServer: false,
  keepMemberThirdPartyInviteSigned: false,
  keepAllCreateContent: false,
  keepPowerLevelsInvite: false,
  keepRedactionRedacts: false,
});
/** Rooms v6-7 (fragment v6-redactions). */
export const REDACTION_V6: RedactionRules = Object.freeze({ ...REDACTION_V1, keepRoomAliasesAliases: false });
/** Room v8 (inline in v8.md). */
export const REDACTION_V8: RedactionRules = Object.freeze({ ...REDACTION_V6, keepJoinRulesAllow: true });
/** Rooms v9-10 (fragment v9-redactions). */
export const REDACTION_V9: RedactionRules = Object.freeze({ ...REDACTION_V8, keepMemberJoinAuthorisedViaUsersServer: true });
/** Rooms v11-12 (fragment v11-redactions). */
export const REDACTION_V11: RedactionRules = Object.freeze({
  ...REDACTION_V9,
  keepOriginMembershipAndPrevState: false,
  keepMemberThirdPartyInviteSigned: true,
  keepAllCreateContent: true,
  keepPowerLevelsInvite: true,
  keepRedactionRedacts: true,
});

// "the server must strip off any keys not in the following list"
const ALWAYS_KEPT_KEYS = [
  'event_id',
  'type',
  'room_id',
  'sender',
  'state_key',
  'content',
  'hashes',
  'signatures',
  'depth',
  'prev_events',
  'auth_events',
  'origin_server_ts',
] as const;
const V1_ONLY_KEYS = ['origin', 'membership', 'prev_state'] as const;

/** The content keys an event type keeps under the given rules; `'all'` for everything. */
export function keptContentKeys(type: string, rules: RedactionRules): readonly string[] | 'all' {
  switch (type) {
    case 'm.room.member':
      return rules.keepMemberJoinAuthorisedViaUsersServer ? ['membership', 'join_authorised_via_users_server'] : ['membership'];
    case 'm.room.create':
      return rules.keepAllCreateContent ? 'all' : ['creator'];
    case 'm.room.join_rules':
      return rules.keepJoinRulesAllow ? ['join_rule', 'allow'] : ['join_rule'];
    case 'm.room.power_levels': {
      const keys = ['ban', 'events', 'events_default', 'kick', 'redact', 'state_default', 'users', 'users_default'];
      return rules.keepPowerLevelsInvite ? [...keys, 'invite'] : keys;
    }
    case 'm.room.aliases':
      return rules.keepRoomAliasesAliases ? ['aliases'] : [];
    case 'm.room.history_visibility':
      return ['history_visibility'];
    case 'm.room.redaction':
      return rules.keepRedactionRedacts ? ['redacts'] : [];
    default:
      return [];
  }
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  // Object.fromEntries keeps a hostile `__proto__` key a plain property.
  return Object.fromEntries(keys.filter((k) => Object.hasOwn(source, k)).map((k) => [k, source[k]]));
}

function redactContent(type: string, content: Record<string, unknown>, rules: RedactionRules): Record<string, unknown> {
  const kept = keptContentKeys(type, rules);
  if (kept === 'all') return { ...content };
  const out = pick(content, kept);
  // v11: "Additionally, it allows the `signed` key of the `third_party_invite` key."
  if (type === 'm.room.member' && rules.keepMemberThirdPartyInviteSigned && isJsonObject(content.third_party_invite)) {
    out.third_party_invite = pick(content.third_party_invite, ['signed']);
  }
  return out;
}

/**
 * The redacted form of an event (any JSON object shaped like a PDU). Always has `content`
 * (an empty object when the input's is missing or not an object). Nested values are shared
 * with the input, not copied: treat both as immutable.
 */
export function redactEvent<T extends object>(event: T, rules: RedactionRules): Record<string, unknown> {
  const source = event as Record<string, unknown>;
  const keys = rules.keepOriginMembershipAndPrevState ? [...ALWAYS_KEPT_KEYS, ...V1_ONLY_KEYS] : ALWAYS_KEPT_KEYS;
  const out = pick(source, keys);
  const type = typeof source.type === 'string' ? source.type : '';
  out.content = redactContent(type, isJsonObject(source.content) ? source.content : {}, rules);
  return out;
}

import { describe, expect, it } from 'vitest';
import { defaultPushRules } from '../../src/core/push/default-rules.js';
import {
  buildRuleset,
  checkUserRuleId,
  isDefaultRule,
  placeRule,
  pushConditionSchema,
  pushRuleActionsBodySchema,
  pushRuleBodySchema,
  stripHistoricalActions,
  type UserPushRule,
} from '../../src/core/push/ruleset.js';

const ALICE = '@alice:example.com';
const ids = (rules: { rule_id: string }[]) => rules.map((r) => r.rule_id);

describe('server-default push rules (v1.19 "Predefined Rules")', () => {
  const rules = defaultPushRules(ALICE);

  it('lists the override rules in the spec order', () => {
    expect(ids(rules.override)).toEqual([
      '.m.rule.master',
      '.m.rule.suppress_notices',
      '.m.rule.invite_for_me',
      '.m.rule.member_event',
      '.m.rule.is_user_mention',
      '.m.rule.is_room_mention',
      '.m.rule.tombstone',
      '.m.rule.reaction',
      '.m.rule.room.server_acl',
      '.m.rule.suppress_edits',
    ]);
  });

  it('lists the underride rules in the spec order', () => {
    expect(ids(rules.underride)).toEqual([
      '.m.rule.call',
      '.m.rule.encrypted_room_one_to_one',
      '.m.rule.room_one_to_one',
      '.m.rule.message',
      '.m.rule.encrypted',
    ]);
  });

  it('has no content, room or sender defaults (v1.17 removed the body-mention rules)', () => {
    expect(rules.content).toEqual([]);
    expect(rules.room).toEqual([]);
    expect(rules.sender).toEqual([]);
    const all = ids(Object.values(rules).flat());
    expect(all).not.toContain('.m.rule.contains_user_name');
    expect(all).not.toContain('.m.rule.contains_display_name');
    expect(all).not.toContain('.m.rule.roomnotif');
  });

  it('marks every rule default, enabled except the master rule', () => {
    for (const r of Object.values(rules).flat()) {
      expect(r.default).toBe(true);
      expect(r.rule_id.startsWith('.')).toBe(true);
      expect(r.enabled).toBe(r.rule_id !== '.m.rule.master');
    }
  });

  it('matches the spec definition of .m.rule.master', () => {
    expect(rules.override[0]).toEqual({
      rule_id: '.m.rule.master',
      default: true,
      enabled: false,
      conditions: [],
      actions: [],
    });
  });

  it("puts the user's Matrix ID into .m.rule.invite_for_me", () => {
    expect(rules.override.find((r) => r.rule_id === '.m.rule.invite_for_me')).toEqual({
      rule_id: '.m.rule.invite_for_me',
      default: true,
      enabled: true,
      conditions: [
        { kind: 'event_match', key: 'type', pattern: 'm.room.member' },
        { kind: 'event_match', key: 'content.membership', pattern: 'invite' },
        { kind: 'event_match', key: 'state_key', pattern: ALICE },
      ],
      actions: ['notify', { set_tweak: 'sound', value: 'default' }],
    });
  });

  it("puts the user's Matrix ID into .m.rule.is_user_mention with an escaped m.mentions key", () => {
    expect(rules.override.find((r) => r.rule_id === '.m.rule.is_user_mention')).toEqual({
      rule_id: '.m.rule.is_user_mention',
      default: true,
      enabled: true,
      conditions: [{ kind: 'event_property_contains', key: 'content.m\\.mentions.user_ids', value: ALICE }],
      actions: ['notify', { set_tweak: 'sound', value: 'default' }, { set_tweak: 'highlight' }],
    });
  });

  it('matches the spec definitions of the room-mention, tombstone and edit rules', () => {
    const byId = new Map(rules.override.map((r) => [r.rule_id, r]));
    expect(byId.get('.m.rule.is_room_mention')).toMatchObject({
      conditions: [
        { kind: 'event_property_is', key: 'content.m\\.mentions.room', value: true },
        { kind: 'sender_notification_permission', key: 'room' },
      ],
      actions: ['notify', { set_tweak: 'highlight' }],
    });
    expect(byId.get('.m.rule.tombstone')).toMatchObject({
      conditions: [
        { kind: 'event_match', key: 'type', pattern: 'm.room.tombstone' },
        { kind: 'event_match', key: 'state_key', pattern: '' },
      ],
      actions: ['notify', { set_tweak: 'highlight' }],
    });
    expect(byId.get('.m.rule.suppress_edits')).toMatchObject({
      conditions: [{ kind: 'event_property_is', key: 'content.m\\.relates_to.rel_type', value: 'm.replace' }],
      actions: [],
    });
  });

  it('matches the spec definitions of the underride rules', () => {
    const byId = new Map(rules.underride.map((r) => [r.rule_id, r]));
    expect(byId.get('.m.rule.call')!.actions).toEqual(['notify', { set_tweak: 'sound', value: 'ring' }]);
    expect(byId.get('.m.rule.encrypted_room_one_to_one')!.conditions).toEqual([
      { kind: 'room_member_count', is: '2' },
      { kind: 'event_match', key: 'type', pattern: 'm.room.encrypted' },
    ]);
    expect(byId.get('.m.rule.room_one_to_one')!.actions).toEqual(['notify', { set_tweak: 'sound', value: 'default' }]);
    expect(byId.get('.m.rule.message')!.actions).toEqual(['notify']);
    expect(byId.get('.m.rule.encrypted')!.conditions).toEqual([
      { kind: 'event_match', key: 'type', pattern: 'm.room.encrypted' },
    ]);
  });

  it('builds a fresh object each call, so callers cannot corrupt the defaults', () => {
    const a = defaultPushRules(ALICE);
    a.override[0]!.enabled = true;
    expect(defaultPushRules(ALICE).override[0]!.enabled).toBe(false);
  });
});

describe('merging user rules with the defaults', () => {
  const userRules: UserPushRule[] = [
    { kind: 'override', ruleId: 'o1', enabled: true, actions: ['notify'], conditions: [] },
    { kind: 'override', ruleId: 'o2', enabled: false, actions: [], conditions: [{ kind: 'x' }] },
    { kind: 'underride', ruleId: 'u1', enabled: true, actions: [], conditions: [] },
    { kind: 'content', ruleId: 'c1', enabled: true, actions: ['notify'], pattern: 'cake*lie' },
    { kind: 'room', ruleId: '!r:example.com', enabled: true, actions: [] },
    { kind: 'sender', ruleId: '@spam:example.com', enabled: true, actions: [] },
  ];
  const merged = buildRuleset(ALICE, userRules);

  it('keeps .m.rule.master first, then user override rules, then the other override defaults', () => {
    expect(ids(merged.override).slice(0, 4)).toEqual(['.m.rule.master', 'o1', 'o2', '.m.rule.suppress_notices']);
    expect(merged.override).toHaveLength(12);
  });

  it('puts user underride rules before the underride defaults', () => {
    expect(ids(merged.underride)[0]).toBe('u1');
    expect(ids(merged.underride).slice(1)).toEqual(ids(defaultPushRules(ALICE).underride));
  });

  it('gives conditions only to override/underride rules and pattern only to content rules', () => {
    expect(merged.override[2]).toEqual({ rule_id: 'o2', default: false, enabled: false, actions: [], conditions: [{ kind: 'x' }] });
    expect(merged.content).toEqual([
      { rule_id: 'c1', default: false, enabled: true, actions: ['notify'], pattern: 'cake*lie' },
    ]);
    expect(merged.room).toEqual([{ rule_id: '!r:example.com', default: false, enabled: true, actions: [] }]);
    expect(merged.sender).toEqual([{ rule_id: '@spam:example.com', default: false, enabled: true, actions: [] }]);
  });

  it("applies a user's enabled/actions changes to server-default rules", () => {
    const ruleset = buildRuleset(ALICE, [], [
      { kind: 'override', ruleId: '.m.rule.master', enabled: true },
      { kind: 'underride', ruleId: '.m.rule.message', actions: [] },
      // A change recorded under the wrong kind touches nothing.
      { kind: 'underride', ruleId: '.m.rule.suppress_notices', enabled: false },
    ]);
    expect(ruleset.override[0]).toMatchObject({ rule_id: '.m.rule.master', enabled: true, actions: [] });
    expect(ruleset.underride.find((r) => r.rule_id === '.m.rule.message')).toMatchObject({
      enabled: true,
      actions: [],
      default: true,
    });
    expect(ruleset.override[1]).toMatchObject({ rule_id: '.m.rule.suppress_notices', enabled: true });
  });

  it('knows which rule IDs are the spec defaults of each kind', () => {
    expect(isDefaultRule(ALICE, 'override', '.m.rule.master')).toBe(true);
    expect(isDefaultRule(ALICE, 'underride', '.m.rule.master')).toBe(false);
    expect(isDefaultRule(ALICE, 'override', '.m.rule.nonexistent')).toBe(false);
  });
});

describe('placing rules (PUT before/after)', () => {
  it('adds a new rule as the most important user rule by default', () => {
    expect(placeRule(['a', 'b'], 'c', {})).toEqual({ ok: true, order: ['c', 'a', 'b'] });
  });

  it('keeps an updated rule in place when neither before nor after is given', () => {
    expect(placeRule(['a', 'b', 'c'], 'b', {})).toEqual({ ok: true, order: ['a', 'b', 'c'] });
  });

  it('places a rule just before or just after another', () => {
    expect(placeRule(['a', 'b'], 'c', { before: 'b' })).toEqual({ ok: true, order: ['a', 'c', 'b'] });
    expect(placeRule(['a', 'b'], 'c', { after: 'a' })).toEqual({ ok: true, order: ['a', 'c', 'b'] });
    expect(placeRule(['a', 'b'], 'c', { after: 'b' })).toEqual({ ok: true, order: ['a', 'b', 'c'] });
  });

  it('moves an existing rule', () => {
    expect(placeRule(['a', 'b', 'c'], 'a', { after: 'c' })).toEqual({ ok: true, order: ['b', 'c', 'a'] });
    expect(placeRule(['a', 'b', 'c'], 'c', { before: 'a' })).toEqual({ ok: true, order: ['c', 'a', 'b'] });
  });

  it('lets before win when both are given', () => {
    expect(placeRule(['a', 'b', 'c'], 'x', { before: 'a', after: 'c' })).toEqual({ ok: true, order: ['x', 'a', 'b', 'c'] });
  });

  it('treats empty before/after as absent', () => {
    expect(placeRule(['a'], 'x', { before: '', after: '' })).toEqual({ ok: true, order: ['x', 'a'] });
  });

  it('refuses unknown anchors, server-default anchors and the rule itself', () => {
    expect(placeRule(['a'], 'x', { before: 'zzz' })).toMatchObject({ ok: false, reason: 'before rule not found: zzz' });
    expect(placeRule(['a'], 'x', { after: 'zzz' })).toMatchObject({ ok: false, reason: 'after rule not found: zzz' });
    expect(placeRule(['a'], 'x', { before: '.m.rule.master' })).toMatchObject({ ok: false });
    expect(placeRule(['a', 'x'], 'x', { after: 'x' })).toMatchObject({ ok: false });
  });
});

describe('rule IDs and bodies', () => {
  it('rejects reserved, empty and slashed rule IDs', () => {
    expect(checkUserRuleId('nocake')).toEqual({ ok: true });
    expect(checkUserRuleId('!room:example.com')).toEqual({ ok: true });
    expect(checkUserRuleId('.m.rule.master').ok).toBe(false);
    expect(checkUserRuleId('').ok).toBe(false);
    expect(checkUserRuleId('a/b').ok).toBe(false);
    expect(checkUserRuleId('a\\b').ok).toBe(false);
  });

  it('strips the historical dont_notify and coalesce actions', () => {
    expect(stripHistoricalActions(['dont_notify', 'notify', 'coalesce'])).toEqual(['notify']);
    expect(pushRuleActionsBodySchema.parse({ actions: ['dont_notify'] })).toEqual({ actions: [] });
  });

  it('accepts notify and set_tweak actions and refuses unknown ones', () => {
    const schema = pushRuleActionsBodySchema;
    expect(schema.safeParse({ actions: ['notify', { set_tweak: 'sound', value: 'x.wav' }] }).success).toBe(true);
    expect(schema.safeParse({ actions: ['not_an_action'] }).success).toBe(false);
    expect(schema.safeParse({ actions: [{ value: 1 }] }).success).toBe(false);
    expect(schema.safeParse({}).success).toBe(false);
  });

  it('requires a pattern for content rules and drops keys of other kinds', () => {
    expect(pushRuleBodySchema('content').safeParse({ actions: [] }).success).toBe(false);
    expect(pushRuleBodySchema('content').parse({ actions: [], pattern: 'x', conditions: [] })).toEqual({
      actions: [],
      pattern: 'x',
    });
    expect(pushRuleBodySchema('room').parse({ actions: [], pattern: 'x' })).toEqual({ actions: [] });
  });

  it('defaults override/underride conditions to [] ("A rule with no conditions always matches")', () => {
    expect(pushRuleBodySchema('override').parse({ actions: [] })).toEqual({ actions: [], conditions: [] });
    expect(pushRuleBodySchema('underride').parse({ actions: [] })).toEqual({ actions: [], conditions: [] });
  });

  it('validates the parameters of known condition kinds and keeps unknown kinds', () => {
    const ok = (c: unknown) => pushConditionSchema.safeParse(c).success;
    expect(ok({ kind: 'event_match', key: 'content.body', pattern: 'cake' })).toBe(true);
    expect(ok({ kind: 'event_match', key: 'content.body' })).toBe(false);
    expect(ok({ kind: 'event_property_is', key: 'content.x', value: null })).toBe(true);
    expect(ok({ kind: 'event_property_is', key: 'content.x', value: 1.5 })).toBe(false);
    expect(ok({ kind: 'event_property_contains', key: 'content.x', value: { a: 1 } })).toBe(false);
    expect(ok({ kind: 'room_member_count', is: '<=10' })).toBe(true);
    expect(ok({ kind: 'room_member_count', is: '=10' })).toBe(false);
    expect(ok({ kind: 'sender_notification_permission' })).toBe(false);
    expect(ok({ kind: 'contains_display_name' })).toBe(true);
    expect(ok({ kind: 'org.example.future', anything: [1] })).toBe(true);
    expect(ok({ key: 'content.body' })).toBe(false);
    expect(pushConditionSchema.parse({ kind: 'org.example.future', anything: [1] })).toEqual({
      kind: 'org.example.future',
      anything: [1],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { keptContentKeys, redactEvent, REDACTION_V1, REDACTION_V11 } from '../../src/core/events/redaction.js';
import { SUPPORTED_ROOM_VERSIONS, getRoomVersion } from '../../src/core/room-versions.js';

const versions = SUPPORTED_ROOM_VERSIONS.map((id) => getRoomVersion(id)!);
const redactIn = (id: string, event: Record<string, unknown>) => redactEvent(event, getRoomVersion(id)!.redaction);

const base = {
  event_id: '$e:example.org',
  room_id: '!r:example.org',
  sender: '@u:example.org',
  origin: 'example.org',
  origin_server_ts: 1,
  depth: 2,
  prev_events: [],
  auth_events: [],
  hashes: { sha256: 'h' },
  signatures: { 'example.org': { 'ed25519:1': 's' } },
};
const withContent = (type: string, content: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ...base,
  type,
  state_key: '',
  content,
  ...extra,
});

describe('top-level keys', () => {
  const event = { ...base, type: 'm.room.message', content: {}, membership: 'join', prev_state: [], unsigned: { age: 1 }, redacts: '$x', extra: 1 };
  it('keeps origin, membership and prev_state in room versions 1-10', () => {
    for (const id of ['1', '5', '6', '8', '9', '10']) {
      expect(Object.keys(redactIn(id, event)).sort(), id).toEqual(
        ['auth_events', 'content', 'depth', 'event_id', 'hashes', 'membership', 'origin', 'origin_server_ts', 'prev_events', 'prev_state', 'room_id', 'sender', 'signatures', 'type'].sort(),
      );
    }
  });
  it('drops origin, membership and prev_state from room version 11', () => {
    for (const id of ['11', '12']) {
      expect(Object.keys(redactIn(id, event)).sort(), id).toEqual(
        ['auth_events', 'content', 'depth', 'event_id', 'hashes', 'origin_server_ts', 'prev_events', 'room_id', 'sender', 'signatures', 'type'].sort(),
      );
    }
  });
  it('always drops unsigned, top-level redacts and unknown keys, and keeps state_key', () => {
    for (const v of versions) {
      const out = redactEvent({ ...event, state_key: 'k' }, v.redaction);
      expect(out).not.toHaveProperty('unsigned');
      expect(out).not.toHaveProperty('redacts');
      expect(out).not.toHaveProperty('extra');
      expect(out.state_key).toBe('k');
    }
  });
  it('gives an empty content when the event has none or a non-object one, and does not change the input', () => {
    expect(redactEvent({ type: 'm.room.member' }, REDACTION_V11)).toEqual({ type: 'm.room.member', content: {} });
    expect(redactEvent({ type: 'x', content: [1] }, REDACTION_V1)).toEqual({ type: 'x', content: {} });
    const input = withContent('m.room.topic', { topic: 't' });
    redactEvent(input, REDACTION_V1);
    expect(input.content).toEqual({ topic: 't' });
  });
});

// Content kept per room version, one row per event type that keeps anything in some version.
const CONTENT_TABLE: Array<[type: string, content: Record<string, unknown>, kept: Record<string, Record<string, unknown>>]> = [
  [
    'm.room.member',
    { membership: 'join', displayname: 'U', join_authorised_via_users_server: '@a:x.org', third_party_invite: { display_name: 'd', signed: { token: 't' } } },
    {
      '1-8': { membership: 'join' },
      '9-10': { membership: 'join', join_authorised_via_users_server: '@a:x.org' },
      '11-12': { membership: 'join', join_authorised_via_users_server: '@a:x.org', third_party_invite: { signed: { token: 't' } } },
    },
  ],
  [
    'm.room.create',
    { creator: '@u:example.org', room_version: '1', 'm.federate': false, predecessor: { room_id: '!o:x.org' } },
    {
      '1-10': { creator: '@u:example.org' },
      '11-12': { creator: '@u:example.org', room_version: '1', 'm.federate': false, predecessor: { room_id: '!o:x.org' } },
    },
  ],
  [
    'm.room.join_rules',
    { join_rule: 'restricted', allow: [{ type: 'm.room_membership', room_id: '!s:x.org' }], other: 1 },
    {
      '1-7': { join_rule: 'restricted' },
      '8-12': { join_rule: 'restricted', allow: [{ type: 'm.room_membership', room_id: '!s:x.org' }] },
    },
  ],
  [
    'm.room.power_levels',
    { ban: 1, events: { a: 1 }, events_default: 2, invite: 3, kick: 4, redact: 5, state_default: 6, users: { '@u:x.org': 7 }, users_default: 8, notifications: { room: 9 } },
    {
      '1-10': { ban: 1, events: { a: 1 }, events_default: 2, kick: 4, redact: 5, state_default: 6, users: { '@u:x.org': 7 }, users_default: 8 },
      '11-12': { ban: 1, events: { a: 1 }, events_default: 2, invite: 3, kick: 4, redact: 5, state_default: 6, users: { '@u:x.org': 7 }, users_default: 8 },
    },
  ],
  ['m.room.aliases', { aliases: ['#a:x.org'] }, { '1-5': { aliases: ['#a:x.org'] }, '6-12': {} }],
  ['m.room.history_visibility', { history_visibility: 'shared', other: 1 }, { '1-12': { history_visibility: 'shared' } }],
  ['m.room.redaction', { redacts: '$x', reason: 'spam' }, { '1-10': {}, '11-12': { redacts: '$x' } }],
  ['m.room.message', { body: 'hi', msgtype: 'm.text' }, { '1-12': {} }],
  ['m.room.name', { name: 'n' }, { '1-12': {} }],
];

describe('content kept per event type and room version', () => {
  for (const [type, content, kept] of CONTENT_TABLE) {
    for (const [range, expected] of Object.entries(kept)) {
      const [from, to] = range.split('-').map(Number) as [number, number];
      it(`${type} keeps ${JSON.stringify(Object.keys(expected))} in room versions ${range}`, () => {
        for (let v = from; v <= to; v++) {
          expect(redactIn(String(v), withContent(type, content)).content, `v${v}`).toEqual(expected);
        }
      });
    }
  }
  it('covers every room version in each row of the table', () => {
    for (const [type, , kept] of CONTENT_TABLE) {
      const covered = Object.keys(kept).flatMap((r) => {
        const [from, to] = r.split('-').map(Number) as [number, number];
        return Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
      });
      expect(covered, type).toEqual(SUPPORTED_ROOM_VERSIONS);
    }
  });
});

describe('edge cases', () => {
  it('keeps an empty third_party_invite object when it has no signed key (v11+), drops a non-object one', () => {
    expect(redactEvent(withContent('m.room.member', { membership: 'invite', third_party_invite: { x: 1 } }), REDACTION_V11).content).toEqual({
      membership: 'invite',
      third_party_invite: {},
    });
    expect(redactEvent(withContent('m.room.member', { membership: 'invite', third_party_invite: 'x' }), REDACTION_V11).content).toEqual({
      membership: 'invite',
    });
  });
  it('keeps content by type even on a non-state event', () => {
    const { state_key: _sk, ...noStateKey } = withContent('m.room.member', { membership: 'join', displayname: 'x' });
    expect(redactEvent(noStateKey, REDACTION_V1).content).toEqual({ membership: 'join' });
  });
  it('keeps a hostile __proto__ key from parsed content as data, never as a prototype', () => {
    const event = JSON.parse('{"type":"m.room.create","content":{"__proto__":{"polluted":true},"creator":"@u:x.org"}}');
    const v11 = redactEvent(event, REDACTION_V11);
    expect(Object.getPrototypeOf(v11.content)).toBe(Object.prototype);
    expect(Object.keys(v11.content as object).sort()).toEqual(['__proto__', 'creator']);
  });
  it('lists kept content keys per type', () => {
    expect(keptContentKeys('m.room.create', REDACTION_V11)).toBe('all');
    expect(keptContentKeys('m.room.create', REDACTION_V1)).toEqual(['creator']);
    expect(keptContentKeys('com.example', REDACTION_V11)).toEqual([]);
  });
});

// The pure pieces of sync: tokens, heroes, event_fields, lazy-loading selection, receipts,
// the filter view and presence over time.
import { describe, expect, it } from 'vitest';
import { applyEventFields } from '../../src/core/sync/event-fields.js';
import { filterEvents, syncFilterView } from '../../src/core/sync/filter.js';
import { dropRedundantMembers, lazyMemberUsers } from '../../src/core/sync/lazy.js';
import { applyPresenceUpdate, presenceContent, type StoredPresence } from '../../src/core/sync/presence.js';
import { checkThreadId, receiptContent } from '../../src/core/sync/receipts.js';
import { needsHeroes, pickHeroes } from '../../src/core/sync/summary.js';
import { formatSyncToken, parseSyncToken } from '../../src/core/sync/token.js';

describe('sync tokens', () => {
  it('round-trip a position and refuse anything else', () => {
    expect(formatSyncToken(42)).toBe('s42');
    expect(parseSyncToken('s42')).toBe(42);
    expect(parseSyncToken('s0')).toBe(0);
    for (const bad of ['', 's', 's-1', 's01', 't1-2', 's1_2', 's99999999999999999', 'S1']) expect(parseSyncToken(bad), bad).toBeUndefined();
  });
});

describe('room summary heroes', () => {
  const c = (userId: string, membership: string, stream: number) => ({ userId, membership, stream });

  it('are needed only without a name or canonical alias', () => {
    expect(needsHeroes(undefined, undefined)).toBe(true);
    expect(needsHeroes('', '')).toBe(true);
    expect(needsHeroes('Name', undefined)).toBe(false);
    expect(needsHeroes(undefined, '#a:b')).toBe(false);
  });

  it('are the first five joined or invited members by stream, never the user', () => {
    const members = [c('@f:x', 'join', 6), c('@me:x', 'join', 0), c('@a:x', 'join', 1), c('@b:x', 'invite', 2), c('@l:x', 'leave', 3), c('@c:x', 'join', 4), c('@d:x', 'join', 5), c('@e:x', 'join', 7)];
    expect(pickHeroes(members, '@me:x')).toEqual(['@a:x', '@b:x', '@c:x', '@d:x', '@f:x']);
  });

  it('fall back to left and banned members when nobody else is present', () => {
    expect(pickHeroes([c('@me:x', 'join', 1), c('@gone:x', 'leave', 2), c('@banned:x', 'ban', 3)], '@me:x')).toEqual(['@gone:x', '@banned:x']);
  });
});

describe('event_fields', () => {
  const event = { type: 't', sender: '@a:x', content: { body: 'hi', 'm.relates_to': { rel_type: 'r' }, url: 'mxc://x/y' }, unsigned: { age: 1 } };

  it('keeps only the listed dot-separated paths', () => {
    expect(applyEventFields(event, ['type', 'content.body'])).toEqual({ type: 't', content: { body: 'hi' } });
    expect(applyEventFields(event, ['content.m\\.relates_to.rel_type'])).toEqual({ content: { 'm.relates_to': { rel_type: 'r' } } });
    expect(applyEventFields(event, ['content.missing', 'nope'])).toEqual({});
    expect(applyEventFields(event, undefined)).toBe(event);
  });
});

describe('lazy-loading members', () => {
  it('needs the timeline senders, the heroes, and the user when joining or on full state', () => {
    expect(lazyMemberUsers({ timelineSenders: ['@a:x', '@b:x', '@a:x'], heroes: ['@h:x'], self: '@me:x', includeSelf: false }).sort()).toEqual(['@a:x', '@b:x', '@h:x']);
    expect(lazyMemberUsers({ timelineSenders: [], heroes: [], self: '@me:x', includeSelf: true })).toEqual(['@me:x']);
  });

  it('drops member events the client holds unless they are required', () => {
    const members = [
      { userId: '@a:x', eventId: '$1' },
      { userId: '@b:x', eventId: '$2' },
      { userId: '@c:x', eventId: '$3' },
    ];
    const known = new Map([
      ['@a:x', '$1'],
      ['@b:x', '$old'],
      ['@c:x', '$3'],
    ]);
    expect(dropRedundantMembers(members, known, new Set(['$3'])).map((m) => m.userId)).toEqual(['@b:x', '@c:x']);
  });
});

describe('receipts', () => {
  it('validate thread_id as the spec lists', () => {
    expect(checkThreadId('m.read', undefined)).toEqual({ ok: true, threadId: undefined });
    expect(checkThreadId('m.read', 'main')).toEqual({ ok: true, threadId: 'main' });
    expect(checkThreadId('m.read.private', '$root')).toEqual({ ok: true, threadId: '$root' });
    for (const bad of ['', 5, null, 'other']) expect(checkThreadId('m.read', bad).ok, String(bad)).toBe(false);
    expect(checkThreadId('m.fully_read', 'main').ok).toBe(false);
  });

  it('shape m.receipt content and hide private receipts from others', () => {
    const rows = [
      { userId: '@a:x', type: 'm.read', threadId: '', eventId: '$1', ts: 10 },
      { userId: '@b:x', type: 'm.read', threadId: 'main', eventId: '$1', ts: 11 },
      { userId: '@a:x', type: 'm.read.private', threadId: '', eventId: '$2', ts: 12 },
    ];
    expect(receiptContent(rows, '@b:x')).toEqual({ $1: { 'm.read': { '@a:x': { ts: 10 }, '@b:x': { ts: 11, thread_id: 'main' } } } });
    expect(receiptContent(rows, '@a:x')!.$2).toEqual({ 'm.read.private': { '@a:x': { ts: 12 } } });
    expect(receiptContent([rows[2]!], '@b:x')).toBeUndefined();
  });
});

describe('sync filter view', () => {
  it('has the defaults clients rely on', () => {
    const v = syncFilterView(undefined);
    expect(v.timelineLimit).toBe(10);
    expect(v.lazyLoadMembers).toBe(false);
    expect(v.includeLeave).toBe(false);
    expect(v.roomIncluded('!a:x')).toBe(true);
  });

  it('reads lazy loading from the state filter, limits, and the room lists', () => {
    const v = syncFilterView({ room: { not_rooms: ['!b:x'], timeline: { limit: 5000 }, state: { lazy_load_members: true, include_redundant_members: true } } });
    expect(v.timelineLimit).toBe(1000);
    expect(v.lazyLoadMembers).toBe(true);
    expect(v.includeRedundantMembers).toBe(true);
    expect(v.roomIncluded('!b:x')).toBe(false);
    expect(syncFilterView({ room: { timeline: { lazy_load_members: true } } }).lazyLoadMembers).toBe(false);
  });

  it('filters and limits event lists', () => {
    const events = [{ type: 'a' }, { type: 'b' }, { type: 'a.x' }];
    expect(filterEvents(events, { types: ['a*'] })).toEqual([{ type: 'a' }, { type: 'a.x' }]);
    expect(filterEvents(events, { limit: 1 })).toEqual([{ type: 'a' }]);
    expect(filterEvents(events, { rooms: ['!r:x'] }, '!other:x')).toEqual([]);
  });
});

describe('presence over time', () => {
  const stored = (over: Partial<StoredPresence> = {}): StoredPresence => ({ state: 'online', statusMsg: null, lastActiveTs: 1000, lastSeenTs: 1000, serial: 1, ...over });

  it('goes idle after five minutes and offline when no client has been seen', () => {
    expect(presenceContent(stored(), 1000 + 30_000)).toEqual({ presence: 'online', last_active_ago: 30_000, currently_active: true });
    expect(presenceContent(stored(), 1000 + 90_000).currently_active).toBe(false);
    expect(presenceContent(stored({ lastSeenTs: 1000 + 5 * 60_000 }), 1000 + 6 * 60_000).presence).toBe('unavailable');
    expect(presenceContent(stored(), 1000 + 11 * 60_000).presence).toBe('offline');
  });

  it('announces changes of state or message, and only refreshes timestamps otherwise', () => {
    expect(applyPresenceUpdate(undefined, { state: 'online', active: true }, 5)).toEqual({
      next: { state: 'online', statusMsg: null, lastActiveTs: 5, lastSeenTs: 5, serial: 1 },
      announce: true,
    });
    expect(applyPresenceUpdate(stored(), { state: 'online', active: true }, 1000 + 10_000)).toBeUndefined();
    const refresh = applyPresenceUpdate(stored(), { state: 'online', active: true }, 1000 + 61_000)!;
    expect(refresh.announce).toBe(false);
    expect(refresh.next.serial).toBe(1);
    const msg = applyPresenceUpdate(stored(), { state: 'online', statusMsg: 'hi', active: true }, 2000)!;
    expect(msg.announce).toBe(true);
    expect(msg.next.serial).toBe(2);
    // Coming back after going idle is news.
    expect(applyPresenceUpdate(stored({ lastSeenTs: 1000 + 9 * 60_000 }), { state: 'online', active: true }, 1000 + 9 * 60_000)!.announce).toBe(true);
  });
});

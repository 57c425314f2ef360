import { describe, expect, it } from 'vitest';
import {
  eventFilterAllows,
  parseFilter,
  parseRoomEventFilter,
  roomAllowed,
  roomEventFilterAllows,
  typeMatches,
} from '../../src/core/filters.js';

describe('parseFilter', () => {
  it('accepts every field of sync_filter.yaml with its documented type', () => {
    const roomEventFilter = {
      limit: 10,
      types: ['m.room.message'],
      not_types: ['m.room.member'],
      senders: ['@a:x'],
      not_senders: ['@b:x'],
      rooms: ['!r:x'],
      not_rooms: ['!s:x'],
      contains_url: true,
      lazy_load_members: true,
      include_redundant_members: false,
      unread_thread_notifications: true,
    };
    const filter = {
      event_fields: ['content.body'],
      event_format: 'federation',
      presence: { limit: 5, types: ['m.presence'] },
      account_data: { not_types: ['*'] },
      room: {
        rooms: ['!r:x'],
        not_rooms: ['!s:x'],
        include_leave: true,
        ephemeral: roomEventFilter,
        state: roomEventFilter,
        timeline: roomEventFilter,
        account_data: roomEventFilter,
      },
    };
    expect(parseFilter(filter)).toEqual({ ok: true, filter });
  });

  it('keeps unknown keys at every level', () => {
    const filter = { x: 1, room: { y: 2, timeline: { z: 3 } }, presence: { enabled: false } };
    expect(parseFilter(filter)).toEqual({ ok: true, filter });
  });

  it('names the first bad field', () => {
    expect(parseFilter({ room: { timeline: { not_senders: ['@a:x', 'b'] } } })).toMatchObject({
      ok: false,
      field: 'room.timeline.not_senders.1',
    });
    expect(parseFilter({ event_format: 'raw' })).toMatchObject({ ok: false, field: 'event_format' });
  });

  it('allows limit 0, which clients send to skip history, but not negative or fractional limits', () => {
    expect(parseFilter({ room: { timeline: { limit: 0 } } }).ok).toBe(true);
    expect(parseFilter({ room: { timeline: { limit: -1 } } }).ok).toBe(false);
    expect(parseFilter({ presence: { limit: 0.5 } }).ok).toBe(false);
  });

  it('validates a RoomEventFilter on its own (for /messages)', () => {
    expect(parseRoomEventFilter({ lazy_load_members: true, rooms: ['!r:x'] }).ok).toBe(true);
    expect(parseRoomEventFilter({ contains_url: 'yes' })).toMatchObject({ ok: false, field: 'contains_url' });
  });
});

describe('typeMatches', () => {
  // "A `*` can be used as a wildcard to match any sequence of characters."
  it.each([
    ['m.room.message', 'm.room.message', true],
    ['m.room.message', 'm.room.messages', false],
    ['m.room.*', 'm.room.message', true],
    ['m.room.*', 'm.room.', true],
    ['m.room.*', 'm.roomx', false],
    ['*', 'anything', true],
    ['*.member', 'm.room.member', true],
    ['m.*.member', 'm.room.member', true],
    ['m.*.member', 'm.member', false],
    ['a*a', 'a', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'acb', false],
  ])('%s vs %s → %s', (pattern, type, expected) => {
    expect(typeMatches(pattern, type)).toBe(expected);
  });
});

describe('eventFilterAllows', () => {
  const ev = { type: 'm.room.message', sender: '@a:x' };

  it('includes everything when lists are absent', () => {
    expect(eventFilterAllows({}, ev)).toBe(true);
    expect(eventFilterAllows(undefined, ev)).toBe(true);
  });

  it('lets not_types win over types, and not_senders over senders', () => {
    expect(eventFilterAllows({ types: ['m.room.*'], not_types: ['m.room.message'] }, ev)).toBe(false);
    expect(eventFilterAllows({ senders: ['@a:x'], not_senders: ['@a:x'] }, ev)).toBe(false);
  });

  it('excludes types and senders missing from a present include list, even an empty one', () => {
    expect(eventFilterAllows({ types: ['m.room.member'] }, ev)).toBe(false);
    expect(eventFilterAllows({ types: [] }, ev)).toBe(false);
    expect(eventFilterAllows({ senders: ['@b:x'] }, ev)).toBe(false);
  });
});

describe('room filtering', () => {
  it('lets not_rooms win over rooms', () => {
    expect(roomAllowed({ rooms: ['!r:x'], not_rooms: ['!r:x'] }, '!r:x')).toBe(false);
    expect(roomAllowed({ rooms: ['!r:x'] }, '!s:x')).toBe(false);
    expect(roomAllowed({}, '!s:x')).toBe(true);
  });

  it('applies contains_url both ways and ignores it when absent', () => {
    const withUrl = { type: 'm.room.message', room_id: '!r:x', content: { url: 'mxc://a/b' } };
    const without = { type: 'm.room.message', room_id: '!r:x', content: { body: 'hi' } };
    expect(roomEventFilterAllows({ contains_url: true }, withUrl)).toBe(true);
    expect(roomEventFilterAllows({ contains_url: true }, without)).toBe(false);
    expect(roomEventFilterAllows({ contains_url: false }, withUrl)).toBe(false);
    expect(roomEventFilterAllows({ contains_url: false }, without)).toBe(true);
    expect(roomEventFilterAllows({}, without)).toBe(true);
  });

  it('applies room lists and the event filter rules together', () => {
    const ev = { type: 'm.room.message', sender: '@a:x', room_id: '!r:x' };
    expect(roomEventFilterAllows({ not_rooms: ['!r:x'] }, ev)).toBe(false);
    expect(roomEventFilterAllows({ rooms: ['!r:x'], not_senders: ['@a:x'] }, ev)).toBe(false);
    expect(roomEventFilterAllows({ rooms: ['!r:x'], types: ['m.room.*'] }, ev)).toBe(true);
  });
});

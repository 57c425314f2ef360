// The published-directory summary computed from a room's current state (src/core/room-summary.ts).
import { describe, expect, it } from 'vitest';
import { isSummaryStateType, plainTopic, summaryFromState } from '../../src/core/room-summary.js';

describe('room summaries', () => {
  it('reads each field from its state event, and nothing from absent or empty ones', () => {
    const state: Record<string, Record<string, unknown>> = {
      'm.room.create': { type: 'm.space', room_version: '12' },
      'm.room.name': { name: 'Lobby' },
      'm.room.topic': { topic: 'plain' },
      'm.room.canonical_alias': { alias: '#lobby:example.org' },
      'm.room.avatar': { url: '' },
      'm.room.join_rules': { join_rule: 'public' },
    };
    expect(summaryFromState((t) => state[t])).toEqual({
      name: 'Lobby',
      topic: 'plain',
      canonical_alias: '#lobby:example.org',
      avatar_url: null,
      join_rule: 'public',
      history_visibility: null,
      guest_access: null,
      room_type: 'm.space',
    });
    // A redacted m.room.name has empty content: the room has no name.
    expect(summaryFromState((t) => (t === 'm.room.name' ? {} : undefined)).name).toBeNull();
  });

  it('prefers the text/plain m.topic block and ignores other mimetypes', () => {
    expect(plainTopic({ topic: 'fallback', 'm.topic': { 'm.text': [{ mimetype: 'text/html', body: '<b>x</b>' }, { body: 'block' }] } })).toBe('block');
    expect(plainTopic({ topic: 'fallback', 'm.topic': { 'm.text': [{ mimetype: 'text/html', body: '<b>x</b>' }] } })).toBe('fallback');
    expect(plainTopic(undefined)).toBeNull();
  });

  it('knows which state types it is made of', () => {
    expect(isSummaryStateType('m.room.name')).toBe(true);
    expect(isSummaryStateType('m.room.member')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { historyVisibilityOf, isEventVisible, needsStateAfter, type HistoryVisibility } from '../../src/core/visibility.js';

// A message event E and one user; each scenario gives the user's membership in the state at
// E and whether they joined at some point after E.
const scenarios = {
  'joined at the event': { membership: 'join', joinedLater: false },
  'joined later': { membership: undefined, joinedLater: true },
  'left before the event': { membership: 'leave', joinedLater: false },
  'left, then joined again later': { membership: 'leave', joinedLater: true },
  'only invited': { membership: 'invite', joinedLater: false },
  'invited, joined later': { membership: 'invite', joinedLater: true },
  'never a member': { membership: undefined, joinedLater: false },
  'banned': { membership: 'ban', joinedLater: false },
} as const;

// Expected visibility per setting, in the order of `scenarios`.
const expected: Record<HistoryVisibility, boolean[]> = {
  world_readable: [true, true, true, true, true, true, true, true],
  shared: [true, true, false, true, false, true, false, false],
  invited: [true, false, false, false, true, true, false, false],
  joined: [true, false, false, false, false, false, false, false],
};

describe('history visibility of a message', () => {
  for (const [setting, results] of Object.entries(expected) as [HistoryVisibility, boolean[]][]) {
    Object.entries(scenarios).forEach(([name, s], i) => {
      it(`${setting}: ${name} → ${results[i] ? 'visible' : 'hidden'}`, () => {
        const visible = isEventVisible({
          before: { historyVisibility: setting, membership: s.membership },
          joinedLater: s.joinedLater,
        });
        expect(visible).toBe(results[i]);
      });
    });
  }
});

describe('events judged on both sides', () => {
  it('shows a history_visibility change from joined to world_readable to a non-member (the state after allows it)', () => {
    expect(
      isEventVisible({
        before: { historyVisibility: 'joined', membership: undefined },
        after: { historyVisibility: 'world_readable', membership: undefined },
        joinedLater: false,
      }),
    ).toBe(true);
  });

  it('shows a history_visibility change from world_readable to joined to a non-member (the state before allows it)', () => {
    expect(
      isEventVisible({
        before: { historyVisibility: 'world_readable', membership: undefined },
        after: { historyVisibility: 'joined', membership: undefined },
        joinedLater: false,
      }),
    ).toBe(true);
  });

  it("shows the user's own join under joined visibility (their membership after is join)", () => {
    expect(
      isEventVisible({
        before: { historyVisibility: 'joined', membership: undefined },
        after: { historyVisibility: 'joined', membership: 'join' },
        joinedLater: false,
      }),
    ).toBe(true);
  });

  it("shows the user's own leave under joined visibility (their membership before is join)", () => {
    expect(
      isEventVisible({
        before: { historyVisibility: 'joined', membership: 'join' },
        after: { historyVisibility: 'joined', membership: 'leave' },
        joinedLater: false,
      }),
    ).toBe(true);
  });

  it('judges both sides only for history_visibility events and the user’s own member events', () => {
    expect(needsStateAfter({ type: 'm.room.history_visibility', state_key: '' }, '@u:x')).toBe(true);
    expect(needsStateAfter({ type: 'm.room.member', state_key: '@u:x' }, '@u:x')).toBe(true);
    expect(needsStateAfter({ type: 'm.room.member', state_key: '@v:x' }, '@u:x')).toBe(false);
    expect(needsStateAfter({ type: 'm.room.message' }, '@u:x')).toBe(false);
  });
});

describe('historyVisibilityOf', () => {
  it('reads the four values and treats a missing or unknown value as shared', () => {
    expect(historyVisibilityOf({ history_visibility: 'joined' })).toBe('joined');
    expect(historyVisibilityOf({ history_visibility: 'world_readable' })).toBe('world_readable');
    expect(historyVisibilityOf({ history_visibility: 'invited' })).toBe('invited');
    expect(historyVisibilityOf({ history_visibility: 'nonsense' })).toBe('shared');
    expect(historyVisibilityOf({ history_visibility: 3 })).toBe('shared');
    expect(historyVisibilityOf(undefined)).toBe('shared');
  });
});

// Room version 1 state resolution, on DAGs in the edge-list format. Depth counts from
// CREATE (depth 0) along prev_events, so a longer fork gives a greater depth.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { V1_AUTH, V2_AUTH } from '../../../src/core/auth/rules.js';
import {
  ALICE,
  BOB,
  CHARLIE,
  ZARA,
  changedStateAtEnd,
  eventIdOf,
  expectedState,
  message,
  powerLevels,
  topic,
  type FakeEvent,
  type RoomVersion,
} from './builder.js';

const ROOM_V1: RoomVersion = { rules: V1_AUTH, algorithm: 'v1' };
const ROOM_V2: RoomVersion = { rules: V2_AUTH, algorithm: 'v2' };
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

const check = (room: RoomVersion, events: FakeEvent[], edges: string[][], expected: string[]) =>
  expect(changedStateAtEnd(room, events, edges)).toEqual(expectedState(events, expected));

describe('state resolution v1 (room v1)', () => {
  it('picks the conflicting topic with the greater depth', () => {
    // T2 sits one event deeper than T3, although T3 was sent later.
    const events = [topic('T1', ALICE), topic('T2', ALICE), topic('T3', ALICE)];
    check(ROOM_V1, events, [['END', 'T2', 'T1', 'START'], ['END', 'T3', 'START']], ['T2']);
  });

  it('breaks a depth tie by the lowest sha1 of the event ID', () => {
    const events = [topic('TX', ALICE), topic('TY', ALICE)];
    const winner = sha1(eventIdOf('TX')) < sha1(eventIdOf('TY')) ? 'TX' : 'TY';
    check(ROOM_V1, events, [['END', 'TX', 'START'], ['END', 'TY', 'START']], [winner]);
  });

  it('skips a deeper topic that fails auth in the partly resolved state', () => {
    // Bob (PL 0) cannot set the topic (state_default 50); alice's shallower topic wins.
    const events = [message('X', ZARA), topic('TB', BOB), topic('TA', ALICE)];
    check(ROOM_V1, events, [['END', 'TB', 'X', 'START'], ['END', 'TA', 'START']], ['TA']);
  });

  it('applies conflicting power levels in ascending depth while each passes auth', () => {
    // PA (alice) makes bob 50; the deeper PB (bob) gives charlie 50, which bob may do.
    const users = { [ALICE]: 100, [BOB]: 50 };
    const events = [
      powerLevels('PA', ALICE, { users }),
      message('X', ZARA),
      powerLevels('PB', BOB, { users: { ...users, [CHARLIE]: 50 } }),
    ];
    check(ROOM_V1, events, [['END', 'PA', 'START'], ['END', 'PB', 'X', 'START']], ['PB']);
  });

  it('stops at the first conflicting power levels that fail auth, ignoring deeper ones', () => {
    // PB has bob raise himself to 100, above his level of 50 under PA: rejected, so the
    // still deeper PC (bob gives charlie 50, which PA would allow) is never considered.
    const users = { [ALICE]: 100, [BOB]: 50 };
    const events = [
      powerLevels('PA', ALICE, { users }),
      message('X', ZARA),
      powerLevels('PB', BOB, { users: { ...users, [BOB]: 100 } }),
      message('Y', ZARA),
      message('Y2', ZARA),
      powerLevels('PC', BOB, { users: { ...users, [CHARLIE]: 50 } }),
    ];
    const edges = [['END', 'PA', 'START'], ['END', 'PB', 'X', 'START'], ['END', 'PC', 'Y2', 'Y', 'START']];
    check(ROOM_V1, events, edges, ['PA']);
  });

  it('treats a key that only one state has as unconflicted, unlike v2', () => {
    // Bob's topic could not pass auth, but only one fork has a topic at all.
    const events = [topic('TB', BOB)];
    const edges = [['END', 'TB', 'START'], ['END', 'START']];
    check(ROOM_V1, events, edges, ['TB']);
    check(ROOM_V2, events, edges, []);
  });
});

import { describe, expect, it } from 'vitest';
import {
  parsePowerLevel,
  powerLevelsView,
  V1_AUTH,
  V5_AUTH,
  V6_AUTH,
  V9_AUTH,
  V10_AUTH,
  V11_AUTH,
  V12_AUTH,
} from '../../../src/core/auth/index.js';
import { ALICE, BOB, DAVE, ZARA, ev, versions } from './helpers.js';

const createV1 = ev({ type: 'm.room.create', sender: ALICE, stateKey: '', content: { creator: DAVE } });
const createV11 = ev({ type: 'm.room.create', sender: ALICE, stateKey: '', content: { creator: DAVE } });
const createV12 = ev({ type: 'm.room.create', sender: ALICE, stateKey: '', roomId: '', content: { additional_creators: [ZARA] } });

describe('parsePowerLevel', () => {
  it.each([
    [50, 50],
    [-7, -7],
    ['50', 50],
    ['000100', 100],
    ['+100', 100],
    ['-100', -100],
    [' 100 ', 100],
    [' \t-00100\n', -100],
    ['-0', 0],
    ['1.5', undefined],
    ['1e2', undefined],
    ['', undefined],
    ['+-1', undefined],
    ['0x10', undefined],
    ['9007199254740993', undefined],
    [true, undefined],
    [null, undefined],
    [{}, undefined],
    [NaN, undefined],
  ])('reads %j as %s in room v9', (value, expected) => {
    expect(parsePowerLevel(V9_AUTH, value)).toBe(expected);
  });

  it.each([
    [50, 50],
    ['50', undefined],
    [50.5, undefined],
    [2 ** 53, undefined],
  ])('reads %j as %s in room v10', (value, expected) => {
    expect(parsePowerLevel(V10_AUTH, value)).toBe(expected);
  });

  it.each([
    [50.57, 50],
    [51146.98, 51146],
    [-3.9, -3],
    [5.114698e4, 51146],
    [Infinity, undefined],
    [-Infinity, undefined],
    [NaN, undefined],
  ])('truncates the float %j to %s in room v1-5', (value, expected) => {
    expect(parsePowerLevel(V1_AUTH, value)).toBe(expected);
    expect(parsePowerLevel(V5_AUTH, value)).toBe(expected);
  });

  it('refuses floats from room v6', () => {
    expect(parsePowerLevel(V6_AUTH, 50.5)).toBeUndefined();
  });
});

describe('powerLevelsView defaults without a power levels event', () => {
  it.each(versions(1, 10))('gives content.creator 100 and others 0 in room v%s', (_v, rules) => {
    const view = powerLevelsView(rules, undefined, createV1);
    expect(view.exists).toBe(false);
    expect(view.userLevel(DAVE)).toBe(100);
    expect(view.userLevel(ALICE)).toBe(0);
  });

  it('gives the create sender 100 in room v11', () => {
    const view = powerLevelsView(V11_AUTH, undefined, createV11);
    expect(view.userLevel(ALICE)).toBe(100);
    expect(view.userLevel(DAVE)).toBe(0);
  });

  it('gives v12 creators infinite power and everyone else 0', () => {
    const view = powerLevelsView(V12_AUTH, undefined, createV12);
    expect(view.userLevel(ALICE)).toBe(Infinity);
    expect(view.userLevel(ZARA)).toBe(Infinity);
    expect(view.userLevel(BOB)).toBe(0);
    expect(view.isPrivilegedCreator(ZARA)).toBe(true);
    expect(view.isPrivilegedCreator(BOB)).toBe(false);
  });

  it.each(versions(1))('uses the spec defaults for named levels in room v%s', (_v, rules) => {
    const view = powerLevelsView(rules, undefined, createV1);
    expect(
      ['ban', 'kick', 'redact', 'invite', 'state_default', 'events_default', 'users_default'].map((n) =>
        view.level(n as Parameters<typeof view.level>[0]),
      ),
    ).toEqual([50, 50, 50, 0, 50, 0, 0]);
    expect(view.eventLevel('m.room.topic', true)).toBe(50);
    expect(view.eventLevel('m.room.message', false)).toBe(0);
    expect(view.notificationLevel('room')).toBe(50);
  });
});

describe('powerLevelsView with content', () => {
  const content = {
    ban: 40,
    kick: '30',
    users: { [BOB]: 20, [ALICE]: '75' },
    users_default: 5,
    events: { 'm.room.name': 60, 'm.room.message': '7' },
    state_default: 45,
    events_default: 3,
    notifications: { room: 20 },
  };

  it.each(versions(1, 9))('reads integers and integer strings in room v%s', (_v, rules) => {
    const view = powerLevelsView(rules, content, createV1);
    expect(view.exists).toBe(true);
    expect(view.userLevel(BOB)).toBe(20);
    expect(view.userLevel(ALICE)).toBe(75);
    expect(view.userLevel(DAVE)).toBe(5); // the creator default no longer applies
    expect(view.level('kick')).toBe(30);
    expect(view.level('ban')).toBe(40);
    expect(view.level('redact')).toBe(50);
    expect(view.eventLevel('m.room.name', true)).toBe(60);
    expect(view.eventLevel('m.room.message', false)).toBe(7);
    expect(view.eventLevel('m.room.topic', true)).toBe(45);
    expect(view.eventLevel('m.reaction', false)).toBe(3);
    expect(view.notificationLevel('room')).toBe(20);
    expect(view.notificationLevel('other')).toBe(50);
  });

  it.each(versions(10, 11))('reads strings as absent (the default) in room v%s', (_v, rules) => {
    const view = powerLevelsView(rules, content, createV11);
    expect(view.userLevel(ALICE)).toBe(5);
    expect(view.level('kick')).toBe(50);
    expect(view.eventLevel('m.room.message', false)).toBe(3);
  });

  it('keeps v12 creators infinite whatever users says', () => {
    const view = powerLevelsView(V12_AUTH, { users: { [ALICE]: 1, [BOB]: 20 } }, createV12);
    expect(view.userLevel(ALICE)).toBe(Infinity);
    expect(view.userLevel(BOB)).toBe(20);
    expect(view.entry('users', ALICE)).toBe(1);
  });

  it('ignores inherited properties such as toString', () => {
    const view = powerLevelsView(V10_AUTH, { users: {} }, createV11);
    expect(view.userLevel('toString')).toBe(0);
    expect(view.eventLevel('constructor', false)).toBe(0);
  });

  it('treats a non-object users as empty', () => {
    expect(powerLevelsView(V9_AUTH, { users: 'x', users_default: 4 }, createV1).userLevel(BOB)).toBe(4);
  });
});

// A lazy view of m.room.power_levels content (schema m.room.power_levels, and the room
// versions' "values as strings" / "values as floats" fragments). It reads only the keys a
// question needs, with the version's integer rules, and answers with the spec's defaults.
// Room creators have infinite power in v12 (`Infinity`).

import type { AuthEvent } from '../events/types.js';
import { creatorOf, roomCreators } from './creators.js';
import type { AuthRules } from './rules.js';
import { isJsonObject } from '../json/object.js';

export type NamedLevel =
  | 'ban'
  | 'kick'
  | 'redact'
  | 'invite'
  | 'state_default'
  | 'events_default'
  | 'users_default';

/** The properties rule 10.3 (v10+: 10.1) lists, i.e. every NamedLevel. */
export const NAMED_LEVELS: readonly NamedLevel[] = [
  'users_default',
  'events_default',
  'state_default',
  'ban',
  'redact',
  'kick',
  'invite',
];

// "The levels for kick and ban default to 50 ... invite defaults to 0 in either case",
// "If there is no state_default ... or there is no m.room.power_levels event, the
// state_default is 50", redact 50, events_default 0, users_default 0.
const DEFAULTS: Readonly<Record<NamedLevel, number>> = {
  ban: 50,
  kick: 50,
  redact: 50,
  invite: 0,
  state_default: 50,
  events_default: 0,
  users_default: 0,
};

/** `notifications.room` "Defaults to 50 if unspecified"; other keys use the same default. */
const NOTIFICATION_DEFAULT = 50;

// "a single base 10 integer ... optionally with any number of leading zeroes; optionally
// prefixed with a single - or +; optionally with leading or trailing whitespace".
const INTEGER_STRING = /^\s*[+-]?[0-9]+\s*$/;

/**
 * A power-level value as the room version reads it, or undefined if it is not one:
 * integers always; integer-like strings before v10; floats truncated in v1-5.
 */
export function parsePowerLevel(rules: AuthRules, value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value === 0 ? 0 : value;
    // "Values outside the range represented by IEE754 binary64 ... Infinity, -Infinity and
    // NaN" are rejected; others are truncated at the decimal point.
    if (rules.floatPowerLevels && Number.isFinite(value)) return Math.trunc(value) || 0;
    return undefined;
  }
  if (typeof value === 'string' && !rules.integerPowerLevels && INTEGER_STRING.test(value)) {
    const n = Number(value.trim());
    return Number.isSafeInteger(n) ? n || 0 : undefined;
  }
  return undefined;
}

export interface PowerLevelsView {
  /** Whether the room has an m.room.power_levels event. */
  readonly exists: boolean;
  /** The user's power level; `Infinity` for v12 room creators. */
  userLevel(userId: string): number;
  /** The event type's *required power level*: `events[type]`, else `state_default` / `events_default`. */
  eventLevel(type: string, isState: boolean): number;
  level(name: NamedLevel): number;
  /** The level for a `notifications` key such as `room`. */
  notificationLevel(key: string): number;
  /** The raw parsed entry of `users` / `events` / `notifications`, or undefined if absent or invalid. */
  entry(map: 'users' | 'events' | 'notifications', key: string): number | undefined;
  /** Whether the user is a v12 room creator (always false before v12). */
  isPrivilegedCreator(userId: string): boolean;
}

function objectAt(content: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  const value = content?.[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * A view of `plContent` (the current m.room.power_levels content, or undefined if the room
 * has none) for the room whose m.room.create event is `createEvent`. Values that are present
 * but not valid power levels for the version read as the default.
 */
export function powerLevelsView(
  rules: AuthRules,
  plContent: Record<string, unknown> | undefined,
  createEvent: AuthEvent | undefined,
): PowerLevelsView {
  let creators: ReadonlySet<string> | undefined;
  const isPrivilegedCreator = (userId: string): boolean => {
    if (!rules.privilegedCreators) return false;
    creators ??= roomCreators(rules, createEvent);
    return creators.has(userId);
  };
  const entry = (map: 'users' | 'events' | 'notifications', key: string): number | undefined => {
    const obj = objectAt(plContent, map);
    if (!obj || !Object.hasOwn(obj, key)) return undefined;
    return parsePowerLevel(rules, obj[key]);
  };
  const level = (name: NamedLevel): number => {
    if (!plContent || !Object.hasOwn(plContent, name)) return DEFAULTS[name];
    return parsePowerLevel(rules, plContent[name]) ?? DEFAULTS[name];
  };
  return {
    exists: plContent !== undefined,
    isPrivilegedCreator,
    entry,
    level,
    userLevel(userId) {
      // v12: "The power level of room creators is infinitely high."
      if (isPrivilegedCreator(userId)) return Infinity;
      if (!plContent) {
        // v1-11: "If the room contains no m.room.power_levels event, the room's creator has
        // a power level of 100, and all other users have a power level of 0." v12: 0.
        if (!rules.privilegedCreators && creatorOf(rules, createEvent) === userId) return 100;
        return 0;
      }
      return entry('users', userId) ?? level('users_default');
    },
    eventLevel(type, isState) {
      return entry('events', type) ?? level(isState ? 'state_default' : 'events_default');
    },
    notificationLevel(key) {
      return entry('notifications', key) ?? NOTIFICATION_DEFAULT;
    },
  };
}

/** The maps of power-levels content whose values are power levels. */
const LEVEL_MAPS = ['users', 'events', 'notifications'] as const;

/**
 * Why power-levels content holds a value the room version cannot read as a power level (a
 * named level, or an entry of `users`, `events` or `notifications`), or undefined if every
 * value reads. Before v10 the auth rules let a room's first power levels through with such
 * values, then refuse every later change (each compared value must read), so servers check
 * the events they create.
 */
export function unreadablePowerLevel(rules: AuthRules, content: Record<string, unknown>): string | undefined {
  for (const name of NAMED_LEVELS) {
    if (Object.hasOwn(content, name) && parsePowerLevel(rules, content[name]) === undefined) return `${name} is not a power level`;
  }
  for (const map of LEVEL_MAPS) {
    if (!Object.hasOwn(content, map)) continue;
    const levels = content[map];
    if (!isJsonObject(levels)) return `${map} is not an object`;
    for (const [key, value] of Object.entries(levels)) {
      if (parsePowerLevel(rules, value) === undefined) return `${map}.${key} is not a power level`;
    }
  }
  return undefined;
}

/**
 * Power-levels content with each value as the integer this version reads it as (strings
 * before v10, floats in v1-5), dropping values it cannot read (they read as the default):
 * how an upgrade carries levels into a version that needs integers.
 */
export function integerPowerLevels(rules: AuthRules, content: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...content };
  for (const name of NAMED_LEVELS) {
    if (!Object.hasOwn(out, name)) continue;
    const level = parsePowerLevel(rules, out[name]);
    if (level === undefined) delete out[name];
    else out[name] = level;
  }
  for (const map of LEVEL_MAPS) {
    if (!Object.hasOwn(out, map)) continue;
    const levels = out[map];
    if (!isJsonObject(levels)) {
      delete out[map];
      continue;
    }
    out[map] = Object.fromEntries(
      Object.entries(levels).flatMap(([key, value]) => {
        const level = parsePowerLevel(rules, value);
        return level === undefined ? [] : [[key, level] as const];
      }),
    );
  }
  return out;
}

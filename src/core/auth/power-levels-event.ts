// The m.room.power_levels authorisation rule: what the new content must look like, and
// which changes the sender may make. Rule numbers are room version 12's (rule 10; rule 9 in
// v6-11, 10 in v1-5). v10 added 10.1-10.2 (integers only) and v12 10.4 (creators), so
// before v10 the users rule is x.1 and "no previous power levels" x.2.

import type { AuthEvent } from '../events/types.js';
import { roomCreators } from './creators.js';
import { isValidUserId } from './ids.js';
import { NAMED_LEVELS, parsePowerLevel, type PowerLevelsView } from './power-levels.js';
import type { AuthRules } from './rules.js';
import { ALLOW, reject, type AuthOutcome } from './types.js';
import { isJsonObject } from '../json/object.js';

type Json = Record<string, unknown>;

/** A JSON integer in the canonical range, the only power-level value from v10. */
const isInteger = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value);

/** Rule 10: "If type is m.room.power_levels". `current` is the previous power levels, if any. */
export function checkPowerLevelsEvent(
  rules: AuthRules,
  event: AuthEvent,
  current: AuthEvent | undefined,
  pl: PowerLevelsView,
  create: AuthEvent | undefined,
): AuthOutcome {
  const content = event.content;
  if (rules.integerPowerLevels) {
    // 10.1. (v10+) If any of the properties users_default, events_default, state_default,
    // ban, redact, kick, or invite in content are present and not an integer, reject.
    for (const name of NAMED_LEVELS) {
      if (Object.hasOwn(content, name) && !isInteger(content[name])) {
        return reject(`m.room.power_levels: ${name} is present and not an integer`);
      }
    }
    // 10.2. (v10+) If either of the properties events or notifications in content are
    // present and not an object with values that are integers, reject.
    for (const name of ['events', 'notifications']) {
      if (!Object.hasOwn(content, name)) continue;
      const map = content[name];
      if (!isJsonObject(map) || !Object.values(map).every(isInteger)) {
        return reject(`m.room.power_levels: ${name} is present and not an object with values that are integers`);
      }
    }
  }
  // 10.3. If the users property in content is not an object with keys that are valid user
  // IDs with values that are integers (before v10: "or a string that is an integer"), reject.
  if (Object.hasOwn(content, 'users')) {
    const users = content['users'];
    if (!isJsonObject(users)) return reject('m.room.power_levels: users is not an object');
    for (const [userId, level] of Object.entries(users)) {
      if (!isValidUserId(userId)) return reject(`m.room.power_levels: users key ${JSON.stringify(userId)} is not a valid user ID`);
      if (parsePowerLevel(rules, level) === undefined) {
        return reject(`m.room.power_levels: users value for ${userId} is not an integer`);
      }
    }
  }
  // 10.4. (v12) If the users property in content contains the sender of the m.room.create
  // event or any of the additional_creators array (if present) from the content of the
  // m.room.create event, reject.
  if (rules.privilegedCreators && isJsonObject(content['users'])) {
    const users = content['users'];
    for (const creator of roomCreators(rules, create)) {
      if (Object.hasOwn(users, creator)) {
        return reject(`m.room.power_levels: users contains the room creator ${creator}`);
      }
    }
  }
  // 10.5. If there is no previous m.room.power_levels event in the room, allow.
  if (!current) return ALLOW;

  const senderLevel = pl.userLevel(event.sender);
  const before = current.content;
  // Before v10 every compared value must still read as an integer (Synapse and Ruma refuse
  // values that do not, though the rule text only names `users`).
  const changes = (oldMap: unknown, newMap: unknown, keys?: readonly string[]): Change[] | AuthOutcome =>
    diff(rules, isJsonObject(oldMap) ? oldMap : {}, isJsonObject(newMap) ? newMap : {}, keys);

  // 10.6. For the properties users_default, events_default, state_default, ban, redact, kick,
  // invite check if they were added, changed or removed. For each found alteration:
  const named = changes(before, content, NAMED_LEVELS);
  if (!Array.isArray(named)) return named;
  for (const { key, oldLevel, newLevel } of named) {
    // 10.6.1. If the current value is higher than the sender's current power level, reject.
    if (oldLevel !== undefined && oldLevel > senderLevel) {
      return reject(`m.room.power_levels: the current value of ${key} is higher than the sender's power level`);
    }
    // 10.6.2. If the new value is higher than the sender's current power level, reject.
    if (newLevel !== undefined && newLevel > senderLevel) {
      return reject(`m.room.power_levels: the new value of ${key} is higher than the sender's power level`);
    }
  }

  // 10.7 / 10.8: the events property, and (v6+) the notifications property.
  const maps = rules.limitNotificationsPowerLevels ? ['events', 'notifications'] : ['events'];
  for (const map of maps) {
    const altered = changes(before[map], content[map]);
    if (!Array.isArray(altered)) return altered;
    for (const { key, oldLevel, newLevel } of altered) {
      // 10.7. For each entry being changed in, or removed from, the events or notifications
      // properties: if the current value is greater than the sender's current power level, reject.
      if (oldLevel !== undefined && oldLevel > senderLevel) {
        return reject(`m.room.power_levels: the current value of ${map}.${key} is greater than the sender's power level`);
      }
      // 10.8. For each entry being added to, or changed in, the events or notifications
      // properties: if the new value is greater than the sender's current power level, reject.
      if (newLevel !== undefined && newLevel > senderLevel) {
        return reject(`m.room.power_levels: the new value of ${map}.${key} is greater than the sender's power level`);
      }
    }
  }

  const users = changes(before['users'], content['users']);
  if (!Array.isArray(users)) return users;
  for (const { key, oldLevel, newLevel } of users) {
    // 10.9. For each entry being changed in, or removed from, the users property, other than
    // the sender's own entry: if the current value is greater than or equal to the sender's
    // current power level, reject.
    if (key !== event.sender && oldLevel !== undefined && oldLevel >= senderLevel) {
      return reject(`m.room.power_levels: the current level of ${key} is not below the sender's power level`);
    }
    // 10.10. For each entry being added to, or changed in, the users property: if the new
    // value is greater than the sender's current power level, reject.
    if (newLevel !== undefined && newLevel > senderLevel) {
      return reject(`m.room.power_levels: the new level of ${key} is greater than the sender's power level`);
    }
  }
  // 10.11. Otherwise, allow.
  return ALLOW;
}

interface Change {
  key: string;
  /** The current value; undefined when the entry is being added. */
  oldLevel: number | undefined;
  /** The new value; undefined when the entry is being removed. */
  newLevel: number | undefined;
}

/** The entries added, changed or removed between two maps, compared as power levels. */
function diff(rules: AuthRules, before: Json, after: Json, only?: readonly string[]): Change[] | AuthOutcome {
  const keys = only ?? [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const out: Change[] = [];
  for (const key of keys) {
    const hadOld = Object.hasOwn(before, key);
    const hasNew = Object.hasOwn(after, key);
    if (!hadOld && !hasNew) continue;
    const oldLevel = hadOld ? parsePowerLevel(rules, before[key]) : undefined;
    const newLevel = hasNew ? parsePowerLevel(rules, after[key]) : undefined;
    if ((hadOld && oldLevel === undefined) || (hasNew && newLevel === undefined)) {
      return reject(`m.room.power_levels: the value of ${key} is not an integer (or a string that is an integer)`);
    }
    if (hadOld && hasNew && oldLevel === newLevel) continue;
    out.push({ key, oldLevel, newLevel });
  }
  return out;
}

import { describe, expect, it } from 'vitest';
import { V1_AUTH, V3_AUTH, V6_AUTH, V7_AUTH, V8_AUTH, V10_AUTH, V11_AUTH, V12_AUTH } from '../../src/core/auth/rules.js';
import { REDACTION_V1, REDACTION_V6, REDACTION_V8, REDACTION_V9, REDACTION_V11 } from '../../src/core/events/redaction.js';
import {
  DEFAULT_ROOM_VERSION,
  SUPPORTED_ROOM_VERSIONS,
  getRoomVersion,
  roomVersionsCapability,
  type RoomVersion,
} from '../../src/core/room-versions.js';

const all = SUPPORTED_ROOM_VERSIONS.map((id) => getRoomVersion(id)!);
/** The ids of the versions for which `pick` holds, to read each behaviour's range at a glance. */
const where = (pick: (v: RoomVersion) => unknown) => all.filter(pick).map((v) => v.id);

describe('room version registry', () => {
  it('knows versions 1 to 12, all stable, and creates rooms with 12 by default', () => {
    expect(SUPPORTED_ROOM_VERSIONS).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12']);
    expect(all.every((v) => v.stable)).toBe(true);
    expect(DEFAULT_ROOM_VERSION).toBe('12');
    expect(getRoomVersion(DEFAULT_ROOM_VERSION)?.id).toBe('12');
  });
  it('returns undefined for unknown versions, including prototype property names', () => {
    for (const id of ['0', '13', '', 'constructor', '__proto__', 'toString', ' 1', '1.0', 'org.matrix.msc1234']) {
      expect(getRoomVersion(id), id).toBeUndefined();
    }
  });
  it('freezes every version and its nested rules', () => {
    for (const v of all) {
      expect(Object.isFrozen(v)).toBe(true);
      expect(Object.isFrozen(v.eventFormat)).toBe(true);
      expect(Object.isFrozen(v.signing)).toBe(true);
      expect(Object.isFrozen(v.redaction)).toBe(true);
    }
  });
  it('reports the m.room_versions capability', () => {
    expect(roomVersionsCapability()).toEqual({
      default: '12',
      available: Object.fromEntries(SUPPORTED_ROOM_VERSIONS.map((id) => [id, 'stable'])),
    });
  });
});

describe('what each version changes', () => {
  it('event IDs: carried in v1-2, standard Base64 hash in v3, URL-safe from v4', () => {
    expect(where((v) => v.eventIdFormat === 'v1')).toEqual(['1', '2']);
    expect(where((v) => v.eventIdFormat === 'v3')).toEqual(['3']);
    expect(where((v) => v.eventIdFormat === 'v4')).toEqual(['4', '5', '6', '7', '8', '9', '10', '11', '12']);
    expect(where((v) => v.eventFormat.eventIdInEvent)).toEqual(['1', '2']);
    expect(where((v) => v.eventFormat.eventReferencesWithHashes)).toEqual(['1', '2']);
  });
  it('state resolution: v1 algorithm in room v1, v2 in 2-11, v2.1 in 12', () => {
    expect(all.map((v) => v.stateResolution)).toEqual(['v1', ...Array(10).fill('v2'), 'v2.1']);
  });
  it('canonical JSON is strictly enforced, and depth capped at 2^53-1, from v6', () => {
    expect(where((v) => v.enforceCanonicalJson)).toEqual(['6', '7', '8', '9', '10', '11', '12']);
    expect(where((v) => v.eventFormat.maxDepth === Number.MAX_SAFE_INTEGER)).toEqual(['6', '7', '8', '9', '10', '11', '12']);
    expect(getRoomVersion('5')!.eventFormat.maxDepth).toBe(2 ** 63 - 1);
  });
  it('redacts moves into content from v11; room IDs come from the create event in v12', () => {
    expect(where((v) => v.eventFormat.redactsInContent)).toEqual(['11', '12']);
    expect(where((v) => v.roomIdFromCreateEvent)).toEqual(['12']);
  });
  it('signatures: the event_id server signs in v1-2; key validity is enforced from v5', () => {
    expect(where((v) => v.signing.requireEventIdDomainSignature)).toEqual(['1', '2']);
    expect(where((v) => v.signing.enforceKeyValidityPeriod)).toEqual(['5', '6', '7', '8', '9', '10', '11', '12']);
  });
  it('uses the redaction rules of fragments v1 (1-5), v6 (6-7), v8 inline (8), v9 (9-10) and v11 (11-12)', () => {
    expect(all.map((v) => v.redaction)).toEqual([
      ...Array(5).fill(REDACTION_V1),
      REDACTION_V6,
      REDACTION_V6,
      REDACTION_V8,
      REDACTION_V9,
      REDACTION_V9,
      REDACTION_V11,
      REDACTION_V11,
    ]);
    expect(all[7]!.redaction).toBe(REDACTION_V8);
  });
  it('uses the auth rules of its own version', () => {
    const byId = (id: string) => getRoomVersion(id)!.auth;
    expect(byId('1')).toEqual(V1_AUTH);
    expect(byId('3')).toEqual(V3_AUTH);
    expect(byId('6')).toEqual(V6_AUTH);
    expect(byId('7')).toEqual(V7_AUTH);
    expect(byId('8')).toEqual(V8_AUTH);
    expect(byId('10')).toEqual(V10_AUTH);
    expect(byId('11')).toEqual(V11_AUTH);
    expect(byId('12')).toEqual(V12_AUTH);
  });
});

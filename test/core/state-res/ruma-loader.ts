// Loads ruma's state resolution fixtures (../shared/test-fixtures/ruma-state-res, see its
// README): INDEX.json's cases and their PDUs as the normalised events the core works on.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { V10_AUTH, V11_AUTH, V12_AUTH, type AuthRules } from '../../../src/core/auth/rules.js';
import type { AuthEvent } from '../../../src/core/events/types.js';
import type { StateResAlgorithm } from '../../../src/core/state-res/index.js';

const ROOT = new URL('../../../../shared/test-fixtures/ruma-state-res/', import.meta.url).pathname;

export interface RumaCase {
  name: string;
  harness: 'snapshot_test_batches' | 'snapshot_test_state_maps';
  description: string;
  room_version: string;
  state_res: 'v2.0' | 'v2.1';
  pdu_files: string[];
  state_map_files?: string[];
  expected_state: Array<[string, string, string]>;
}

interface RawPdu {
  event_id: string;
  room_id?: string;
  sender: string;
  type: string;
  state_key: string;
  content: Record<string, unknown>;
  origin_server_ts: number;
  prev_events: string[];
  auth_events: string[];
}

export const readFixture = <T>(file: string): T => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as T;

export const RUMA_CASES: RumaCase[] = readFixture<{ cases: RumaCase[] }>('INDEX.json').cases;

const RULES: Record<string, AuthRules> = { '10': V10_AUTH, '11': V11_AUTH, '12': V12_AUTH };

export const rulesOf = (c: RumaCase): AuthRules => RULES[c.room_version]!;
export const algorithmOf = (c: RumaCase): StateResAlgorithm => (c.state_res === 'v2.1' ? 'v2.1' : 'v2');

// The fixtures are fake events (readable IDs, no hashes or signatures): load them as the
// normalised view directly, dropping "test-comments". A room v12 create has no room_id.
const toAuthEvent = (pdu: RawPdu): AuthEvent => ({
  eventId: pdu.event_id,
  roomId: pdu.room_id ?? '',
  sender: pdu.sender,
  type: pdu.type,
  stateKey: pdu.state_key,
  content: pdu.content,
  authEvents: pdu.auth_events,
  prevEvents: pdu.prev_events,
  originServerTs: pdu.origin_server_ts,
  depth: 0,
});

/** The PDUs of each of the case's files, in order. */
export const loadPduFiles = (c: RumaCase): AuthEvent[][] =>
  c.pdu_files.map((f) => readFixture<RawPdu[]>(f).map(toAuthEvent));

// The room version registry (spec "Room Versions"): one frozen object per version, each
// built by spreading the previous one and naming the behaviours it changes. Every other
// module asks these flags, never the version string.
import {
  V1_AUTH,
  V2_AUTH,
  V3_AUTH,
  V4_AUTH,
  V5_AUTH,
  V6_AUTH,
  V7_AUTH,
  V8_AUTH,
  V9_AUTH,
  V10_AUTH,
  V11_AUTH,
  V12_AUTH,
  type AuthRules,
} from './auth/rules.js';
import { REDACTION_V1, REDACTION_V6, REDACTION_V8, REDACTION_V9, REDACTION_V11, type RedactionRules } from './events/redaction.js';
import type { EventIdFormat } from './ids/event-id.js';

/** Event format flags (room versions "Event format", the PDU definitions pdu_v1 … pdu_v12). */
export interface EventFormatRules {
  /** v1-2: "the event ID is a distinct field" (`event_id`), required on the PDU. v3+ compute it. */
  readonly eventIdInEvent: boolean;
  /** v1-2: `prev_events`/`auth_events` are `[event_id, {sha256}]` pairs; v3+ "plain lists of event IDs". */
  readonly eventReferencesWithHashes: boolean;
  /** Largest `depth`: "less than the maximum value for an integer (2^63 - 1)"; v6+ (depth_v6): 2^53 - 1. */
  readonly maxDepth: number;
  /** v11+: "The `redacts` property of `m.room.redaction` events is moved from a top-level event property to a property under the event `content`." */
  readonly redactsInContent: boolean;
}

/** Signature checks that vary by version (server-server "Validating hashes and signatures on received events"). */
export interface SigningRules {
  /** v1-2 "also require that a signature is present from the domain in the `event_id`". */
  readonly requireEventIdDomainSignature: boolean;
  /** v5+: "servers MUST enforce the `valid_until_ts` property from a key request is at least as large as the `origin_server_ts`". */
  readonly enforceKeyValidityPeriod: boolean;
}

export type StateResolutionAlgorithm = 'v1' | 'v2' | 'v2.1';

export interface RoomVersion {
  readonly id: string;
  /** "stable" or "unstable", as `/capabilities` reports it. */
  readonly stable: boolean;
  readonly eventIdFormat: EventIdFormat;
  readonly eventFormat: EventFormatRules;
  readonly redaction: RedactionRules;
  readonly auth: AuthRules;
  readonly signing: SigningRules;
  /** v1: the original algorithm; v2-11: fragment v2-state-res; v12: v2.1 (MSC4297, inline in v12.md). */
  readonly stateResolution: StateResolutionAlgorithm;
  /** v6+: "Servers MUST strictly enforce the JSON format specified in the appendices" (integers only, in range). */
  readonly enforceCanonicalJson: boolean;
  /** v12: room IDs are the create event's ID with sigil `!`; the create event has no `room_id`. */
  readonly roomIdFromCreateEvent: boolean;
}

const TWO_63_MINUS_1 = 2 ** 63 - 1; // not exact as a double; the comparison is what matters
const TWO_53_MINUS_1 = Number.MAX_SAFE_INTEGER;

function version(v: RoomVersion): RoomVersion {
  return Object.freeze({ ...v, eventFormat: Object.freeze(v.eventFormat), signing: Object.freeze(v.signing) });
}

export const ROOM_V1: RoomVersion = version({
  id: '1',
  stable: true,
  eventIdFormat: 'v1',
  eventFormat: { eventIdInEvent: true, eventReferencesWithHashes: true, maxDepth: TWO_63_MINUS_1, redactsInContent: false },
  redaction: REDACTION_V1,
  auth: V1_AUTH,
  signing: { requireEventIdDomainSignature: true, enforceKeyValidityPeriod: false },
  stateResolution: 'v1',
  enforceCanonicalJson: false,
  roomIdFromCreateEvent: false,
});
/** v2: state resolution v2. */
export const ROOM_V2: RoomVersion = version({ ...ROOM_V1, id: '2', auth: V2_AUTH, stateResolution: 'v2' });
/** v3: event IDs are reference hashes (standard Base64); references are plain IDs; redaction auth moves out of the rules. */
export const ROOM_V3: RoomVersion = version({
  ...ROOM_V2,
  id: '3',
  eventIdFormat: 'v3',
  eventFormat: { ...ROOM_V2.eventFormat, eventIdInEvent: false, eventReferencesWithHashes: false },
  auth: V3_AUTH,
  signing: { ...ROOM_V2.signing, requireEventIdDomainSignature: false },
});
/** v4: event IDs in URL-safe Base64. */
export const ROOM_V4: RoomVersion = version({ ...ROOM_V3, id: '4', eventIdFormat: 'v4', auth: V4_AUTH });
/** v5: signing key validity periods are enforced. */
export const ROOM_V5: RoomVersion = version({
  ...ROOM_V4,
  id: '5',
  auth: V5_AUTH,
  signing: { ...ROOM_V4.signing, enforceKeyValidityPeriod: true },
});
/** v6: strict canonical JSON (and so a lower depth limit), aliases lose meaning, notifications power levels. */
export const ROOM_V6: RoomVersion = version({
  ...ROOM_V5,
  id: '6',
  eventFormat: { ...ROOM_V5.eventFormat, maxDepth: TWO_53_MINUS_1 },
  redaction: REDACTION_V6,
  auth: V6_AUTH,
  enforceCanonicalJson: true,
});
/** v7: knocking. */
export const ROOM_V7: RoomVersion = version({ ...ROOM_V6, id: '7', auth: V7_AUTH });
/** v8: restricted join rule; join rules keep `allow` on redaction. */
export const ROOM_V8: RoomVersion = version({ ...ROOM_V7, id: '8', redaction: REDACTION_V8, auth: V8_AUTH });
/** v9: members keep `join_authorised_via_users_server` on redaction. */
export const ROOM_V9: RoomVersion = version({ ...ROOM_V8, id: '9', redaction: REDACTION_V9, auth: V9_AUTH });
/** v10: integer power levels, knock_restricted. */
export const ROOM_V10: RoomVersion = version({ ...ROOM_V9, id: '10', auth: V10_AUTH });
/** v11: redaction algorithm clarified, `redacts` moves into content, `creator` is gone. */
export const ROOM_V11: RoomVersion = version({
  ...ROOM_V10,
  id: '11',
  eventFormat: { ...ROOM_V10.eventFormat, redactsInContent: true },
  redaction: REDACTION_V11,
  auth: V11_AUTH,
});
/** v12: room IDs are create-event hashes, privileged creators, state resolution v2.1. */
export const ROOM_V12: RoomVersion = version({
  ...ROOM_V11,
  id: '12',
  auth: V12_AUTH,
  stateResolution: 'v2.1',
  roomIdFromCreateEvent: true,
});

const ROOM_VERSIONS: ReadonlyMap<string, RoomVersion> = new Map(
  [ROOM_V1, ROOM_V2, ROOM_V3, ROOM_V4, ROOM_V5, ROOM_V6, ROOM_V7, ROOM_V8, ROOM_V9, ROOM_V10, ROOM_V11, ROOM_V12].map(
    (v) => [v.id, v],
  ),
);

/** "Servers SHOULD create new rooms with room version 12." */
export const DEFAULT_ROOM_VERSION = '12';

export const SUPPORTED_ROOM_VERSIONS: readonly string[] = Object.freeze([...ROOM_VERSIONS.keys()]);

/** The rules of a room version, or undefined for one this server does not know. */
export function getRoomVersion(id: string): RoomVersion | undefined {
  return ROOM_VERSIONS.get(id);
}

/** The `m.room_versions` capability (client-server "`m.room_versions` capability"). */
export function roomVersionsCapability(): { default: string; available: Record<string, 'stable' | 'unstable'> } {
  return {
    default: DEFAULT_ROOM_VERSION,
    available: Object.fromEntries([...ROOM_VERSIONS.values()].map((v) => [v.id, v.stable ? 'stable' : 'unstable'])),
  };
}

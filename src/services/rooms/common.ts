// What every rooms service shares: the dependencies a call needs, the outcome type the HTTP
// edge turns into a Matrix error, the room object's stub, and reading one state event's
// content without history-visibility filtering (server-internal reads).
import { powerLevelsView, type PowerLevelsView } from '../../core/auth/index.js';
import type { ErrCode } from '../../core/errors.js';
import type { AuthEvent } from '../../core/events/types.js';
import { MAX_JSON_DEPTH, exceedsJsonDepth } from '../../core/json/depth.js';
import { getRoomVersion } from '../../core/room-versions.js';
import type { RoomFailure, RoomRpc } from '../../../durable-objects/room/api.js';
import type { Requester } from '../sessions.js';

export interface RoomsDeps {
  env: Env;
  /** This server's name (config.serverName). */
  serverName: string;
  now?: () => number;
}

export type { Requester };

/** A failure the HTTP edge throws as `MatrixError(status, errcode, error)`. */
export interface Failure {
  ok: false;
  status: number;
  errcode: ErrCode;
  error: string;
}

export type Result<T> = { ok: true; value: T } | Failure;

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = (status: number, errcode: ErrCode, error: string): Failure => ({ ok: false, status, errcode, error });

const STATUS: Record<RoomFailure['errcode'], number> = {
  M_FORBIDDEN: 403,
  M_NOT_FOUND: 404,
  M_BAD_JSON: 400,
  M_TOO_LARGE: 413,
  M_INVALID_PARAM: 400,
  M_UNSUPPORTED_ROOM_VERSION: 400,
  M_ROOM_IN_USE: 400,
  M_UNKNOWN: 500,
};

/**
 * 400 M_BAD_JSON for content nested deeper than events may be (core/json/depth.ts): deeper
 * content cannot even be handed to the room object, whose RPC overflows the stack cloning it.
 */
export function tooDeeplyNested(field: string, value: unknown): Failure | undefined {
  if (!exceedsJsonDepth(value)) return undefined;
  return fail(400, 'M_BAD_JSON', `Invalid field '${field}': nested more than ${MAX_JSON_DEPTH} levels deep`);
}

/** A room object's failure as the HTTP failure the spec gives it. */
export function fromRoom(f: RoomFailure): Failure {
  return fail(STATUS[f.errcode] ?? 500, f.errcode, f.error);
}

/** The Durable Object owning one room (created on first use; empty until createRoom). */
export function roomStub(env: Env, roomId: string): RoomRpc {
  return env.ROOMS.getByName(roomId) as unknown as RoomRpc;
}

export const nowOf = (deps: RoomsDeps) => (deps.now ?? Date.now)();

/** The content of one current state event, read as the server (no visibility checks). */
export async function stateContent(
  stub: RoomRpc,
  type: string,
  stateKey = '',
): Promise<Record<string, unknown> | undefined> {
  const r = await stub.getStateEvent({ type, stateKey });
  return r.ok ? (r.event.content as Record<string, unknown>) : undefined;
}

/** The user's current membership in the room per the room object, or undefined. */
export async function membershipIn(stub: RoomRpc, userId: string): Promise<string | undefined> {
  const r = await stub.membershipOf(userId);
  return r.ok ? r.membership?.membership : undefined;
}

/**
 * The room's power levels as the auth rules read them (with v12 creators), for the checks
 * the client-server API adds on top of the auth rules (alias deletion, directory changes,
 * upgrades). Undefined if the room is unknown.
 */
export async function roomPowerLevels(stub: RoomRpc): Promise<PowerLevelsView | undefined> {
  const [info, create, pl] = await Promise.all([
    stub.getRoomInfo(),
    stub.getStateEvent({ type: 'm.room.create', stateKey: '' }),
    stateContent(stub, 'm.room.power_levels'),
  ]);
  if (!info.ok || !create.ok) return undefined;
  const version = getRoomVersion(info.info.roomVersion);
  if (!version) return undefined;
  const ev = create.event;
  const createEvent: AuthEvent = {
    eventId: ev.event_id,
    roomId: ev.room_id,
    sender: ev.sender,
    type: ev.type,
    stateKey: '',
    content: ev.content as Record<string, unknown>,
    authEvents: [],
    prevEvents: [],
    originServerTs: ev.origin_server_ts,
    depth: 1,
  };
  return powerLevelsView(version.auth, pl, createEvent);
}

/** Whether the user may send this state event type by power level alone. */
export function canSendState(pl: PowerLevelsView, userId: string, type: string): boolean {
  return pl.userLevel(userId) >= pl.eventLevel(type, true);
}

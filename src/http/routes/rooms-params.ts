// What the room route groups share: path and query parameters checked with core/ids (a bad
// ID is 400 M_INVALID_PARAM), the rooms services' dependencies, and turning a service
// failure into the MatrixError the edge answers with.
import type { Context } from 'hono';
import * as z from 'zod';
import { MatrixError, invalidParam } from '../../core/errors.js';
import { isAnyEventId, isValidRoomAlias, isValidRoomId, isValidUserId } from '../../core/ids/index.js';
import type { Result, RoomsDeps } from '../../services/rooms/common.js';
import type { AppEnv } from '../context.js';

export const CS = '/_matrix/client/v3';

export function roomsDeps(c: Context<AppEnv>): RoomsDeps {
  return { env: c.env, serverName: c.var.config.serverName };
}

/** A service outcome's value, or its failure thrown as a MatrixError. */
export function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new MatrixError(r.status, r.errcode, r.error);
  return r.value;
}

export function pathRoomId(c: Context<AppEnv>, name = 'roomId'): string {
  const roomId = c.req.param(name) ?? '';
  if (!isValidRoomId(roomId)) throw invalidParam(`Invalid room ID: ${roomId}`);
  return roomId;
}

export function pathRoomAlias(c: Context<AppEnv>): string {
  const alias = c.req.param('roomAlias') ?? '';
  if (!isValidRoomAlias(alias)) throw invalidParam('Room alias invalid');
  return alias;
}

export function pathRoomIdOrAlias(c: Context<AppEnv>): string {
  const id = c.req.param('roomIdOrAlias') ?? '';
  if (id.startsWith('#') ? !isValidRoomAlias(id) : !isValidRoomId(id)) throw invalidParam(`Invalid room ID or alias: ${id}`);
  return id;
}

export function pathEventId(c: Context<AppEnv>): string {
  const eventId = c.req.param('eventId') ?? '';
  if (!isAnyEventId(eventId)) throw invalidParam(`Invalid event ID: ${eventId}`);
  return eventId;
}

export const isUserId = (s: string) => isValidUserId(s);

/**
 * A JSON object (event content and the like), passed on as sent. zod's object schemas copy
 * their input key by key, and assigning a `__proto__` key (legal JSON, kept by JSON.parse as
 * an own key) sets the copy's prototype instead: the key would vanish from the event.
 */
export const jsonObject = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  'Invalid input: expected object',
);

/** An optional integer query parameter within [min, max] (values above max are clamped). */
export function queryInt(c: Context<AppEnv>, name: string, min: number, max: number): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw invalidParam(`${name} must be an integer`);
  const n = Number(raw);
  if (n < min) throw invalidParam(`${name} must be at least ${min}`);
  return Math.min(n, max);
}

/** A query parameter that must be one of `values` (undefined when absent). */
export function queryEnum<T extends string>(c: Context<AppEnv>, name: string, values: readonly T[]): T | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return undefined;
  if (!(values as readonly string[]).includes(raw)) throw invalidParam(`${name} must be one of ${values.join(', ')}`);
  return raw as T;
}

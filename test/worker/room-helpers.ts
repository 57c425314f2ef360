// Helpers for tests of the Room Durable Object: rooms created through its RPC API the way
// the createRoom service does (core buildCreateEvent, then createRoom with initial events).
import { env } from 'cloudflare:test';
import { buildCreateEvent } from '../../src/core/events/build.js';
import { getRoomVersion } from '../../src/core/room-versions.js';
import type { JsonObject } from '../../src/core/events/types.js';
import type { ClientEvent, LocalEvent, RoomStub } from '../../durable-objects/room/api.js';

export const SERVER = 'localhost:8008';
let counter = 0;

export const localUser = (name: string): string => `@${name}${++counter}:${SERVER}`;
const randomPart = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

export const roomStub = (roomId: string): RoomStub => env.ROOMS.getByName(roomId) as unknown as RoomStub;

export interface TestRoom {
  roomId: string;
  version: string;
  creator: string;
  stub: RoomStub;
  /** The untyped stub, for cloudflare:test helpers (evictDurableObject, runDurableObjectAlarm). */
  raw: DurableObjectStub;
}

export interface RoomOptions {
  creator?: string;
  joinRule?: string;
  historyVisibility?: string;
  extra?: LocalEvent[];
  ts?: number;
}

export function powerLevelsContent(version: string, creator: string, users: Record<string, number> = {}): JsonObject {
  // v12 creators have infinite power and "cannot appear in users".
  const privileged = getRoomVersion(version)!.auth.privilegedCreators;
  return { users: privileged ? users : { [creator]: 100, ...users }, users_default: 0, events_default: 0, state_default: 50, ban: 50, kick: 50, redact: 50, invite: 0 };
}

export async function createRoom(version = '12', opts: RoomOptions = {}): Promise<TestRoom> {
  const v = getRoomVersion(version)!;
  const creator = opts.creator ?? localUser('alice');
  const { pdu, roomId } = buildCreateEvent({
    version: v,
    sender: creator,
    origin: SERVER,
    originServerTs: opts.ts ?? Date.now(),
    roomId: `!${randomPart()}:${SERVER}`,
    eventIdLocalpart: randomPart(),
  });
  const stub = roomStub(roomId);
  const state = (type: string, content: JsonObject, stateKey = ''): LocalEvent => ({ sender: creator, event: { type, stateKey, content } });
  const result = await stub.createRoom({
    createEvent: pdu,
    initialEvents: [
      state('m.room.member', { membership: 'join', displayname: 'Alice' }, creator),
      state('m.room.power_levels', powerLevelsContent(version, creator)),
      state('m.room.join_rules', { join_rule: opts.joinRule ?? 'public' }),
      state('m.room.history_visibility', { history_visibility: opts.historyVisibility ?? 'shared' }),
      ...(opts.extra ?? []),
    ],
  });
  if (!result.ok) throw new Error(`createRoom failed: ${result.errcode} ${result.error}`);
  return { roomId, version, creator, stub, raw: env.ROOMS.getByName(roomId) };
}

export async function send(room: TestRoom, sender: string, type: string, content: JsonObject, stateKey?: string) {
  return room.stub.sendEvent({ sender, event: { type, content, ...(stateKey === undefined ? {} : { stateKey }) } });
}

export async function sendOk(room: TestRoom, sender: string, type: string, content: JsonObject, stateKey?: string): Promise<string> {
  const r = await send(room, sender, type, content, stateKey);
  if (!r.ok) throw new Error(`send ${type} failed: ${r.errcode} ${r.error}`);
  return r.eventId;
}

export const join = (room: TestRoom, user: string) => sendOk(room, user, 'm.room.member', { membership: 'join' }, user);
export const leave = (room: TestRoom, user: string) => sendOk(room, user, 'm.room.member', { membership: 'leave' }, user);
export const invite = (room: TestRoom, by: string, user: string) => sendOk(room, by, 'm.room.member', { membership: 'invite' }, user);
export const message = (room: TestRoom, sender: string, body: string) => sendOk(room, sender, 'm.room.message', { msgtype: 'm.text', body });

export const bodies = (events: ClientEvent[]): unknown[] => events.filter((e) => e.type === 'm.room.message').map((e) => e.content.body);

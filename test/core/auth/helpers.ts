// Test helpers for the authorisation rules: AuthEvents without signatures or hashes, a
// Map-backed state lookup, and a small room builder whose create event fits the version.

import type { AuthEvent } from '../../../src/core/events/types.js';
import {
  checkAuth,
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
  type AuthContext,
  type AuthOutcome,
  type AuthRules,
  type StateLookup,
} from '../../../src/core/auth/index.js';

export const VERSIONS: ReadonlyArray<readonly [string, AuthRules]> = [
  ['1', V1_AUTH],
  ['2', V2_AUTH],
  ['3', V3_AUTH],
  ['4', V4_AUTH],
  ['5', V5_AUTH],
  ['6', V6_AUTH],
  ['7', V7_AUTH],
  ['8', V8_AUTH],
  ['9', V9_AUTH],
  ['10', V10_AUTH],
  ['11', V11_AUTH],
  ['12', V12_AUTH],
];

/** The versions from `from` to `to` inclusive, as [version, rules] rows for `describe.each`. */
export function versions(from: number, to = 12): Array<[string, AuthRules]> {
  return VERSIONS.filter(([v]) => Number(v) >= from && Number(v) <= to).map(([v, r]) => [v, r]);
}

export const ALICE = '@alice:a.test'; // the creator
export const BOB = '@bob:b.test';
export const CAROL = '@carol:c.test';
export const DAVE = '@dave:a.test';
export const ZARA = '@zara:a.test'; // a v12 additional creator when asked for

let counter = 0;

export interface EventInit {
  type: string;
  sender: string;
  content?: Record<string, unknown>;
  stateKey?: string | undefined;
  roomId?: string;
  eventId?: string;
  prevEvents?: string[];
  authEvents?: string[];
  redacts?: string;
}

/** An AuthEvent with defaults: fresh `$n:a.test` event ID, no prev events. */
export function ev(init: EventInit): AuthEvent {
  counter += 1;
  return {
    eventId: init.eventId ?? `$e${counter}:a.test`,
    roomId: init.roomId ?? '!room:a.test',
    sender: init.sender,
    type: init.type,
    stateKey: init.stateKey,
    content: init.content ?? {},
    authEvents: init.authEvents ?? [],
    prevEvents: init.prevEvents ?? [],
    originServerTs: 1_700_000_000_000 + counter,
    depth: counter,
    redacts: init.redacts,
  };
}

/** A state lookup over the given state events (later events replace earlier ones). */
export function lookupOf(events: Iterable<AuthEvent>): StateLookup {
  const map = new Map<string, AuthEvent>();
  for (const e of events) if (e.stateKey !== undefined) map.set(`${e.type}\u0000${e.stateKey}`, e);
  return (type, stateKey) => map.get(`${type}\u0000${stateKey}`);
}

export const isOk = (o: AuthOutcome): boolean => o.ok;

export interface RoomOptions {
  /** Extra create content (e.g. `{ 'm.federate': false }` or `{ additional_creators: [...] }`). */
  createContent?: Record<string, unknown>;
  /** Power levels content sent by the creator; `null` for a room without power levels. */
  powerLevels?: Record<string, unknown> | null;
  /** The join rule; `null` for a room without m.room.join_rules. */
  joinRule?: string | null;
}

/**
 * A room of the given version: create by ALICE, ALICE joined, power levels (by default
 * ALICE 100 before v12, where she is a creator instead) and a public join rule.
 */
export class TestRoom {
  readonly roomId: string;
  readonly create: AuthEvent;
  private readonly state = new Map<string, AuthEvent>();
  private last: string;

  constructor(
    readonly rules: AuthRules,
    options: RoomOptions = {},
  ) {
    const version = VERSIONS.find(([, r]) => r === rules)?.[0] ?? '12';
    if (rules.roomIdIsCreateEventId) {
      counter += 1;
      const createId = `$create${counter}`;
      this.roomId = `!create${counter}`;
      this.create = ev({
        type: 'm.room.create',
        sender: ALICE,
        stateKey: '',
        eventId: createId,
        roomId: '',
        content: { room_version: version, ...options.createContent },
      });
    } else {
      this.roomId = '!room:a.test';
      const creator = rules.useCreateSenderAsCreator ? {} : { creator: ALICE };
      this.create = ev({
        type: 'm.room.create',
        sender: ALICE,
        stateKey: '',
        content: { ...creator, room_version: version, ...options.createContent },
      });
    }
    this.put(this.create);
    this.last = this.create.eventId;
    this.put(this.event({ type: 'm.room.member', sender: ALICE, stateKey: ALICE, content: { membership: 'join' } }));
    if (options.powerLevels !== null) {
      const users = rules.privilegedCreators ? {} : { [ALICE]: 100 };
      this.put(
        this.event({
          type: 'm.room.power_levels',
          sender: ALICE,
          stateKey: '',
          content: options.powerLevels ?? { users },
        }),
      );
    }
    if (options.joinRule !== null) {
      this.put(
        this.event({
          type: 'm.room.join_rules',
          sender: ALICE,
          stateKey: '',
          content: { join_rule: options.joinRule ?? 'public' },
        }),
      );
    }
  }

  /** An event in this room, its prev event the previous one built. */
  event(init: EventInit): AuthEvent {
    const e = ev({ roomId: this.roomId, prevEvents: [this.last], ...init });
    this.last = e.eventId;
    return e;
  }

  /** Puts a state event into the room's state without checking it. */
  put(e: AuthEvent): this {
    if (e.stateKey !== undefined) this.state.set(`${e.type}\u0000${e.stateKey}`, e);
    return this;
  }

  /** Sets `user`'s membership (sent by `sender`, default the user) without checking it. */
  member(user: string, membership: string, sender = user, content: Record<string, unknown> = {}): this {
    return this.put(this.event({ type: 'm.room.member', sender, stateKey: user, content: { membership, ...content } }));
  }

  /** Replaces the power levels content (sent by ALICE) without checking it. */
  powerLevels(content: Record<string, unknown>): this {
    return this.put(this.event({ type: 'm.room.power_levels', sender: ALICE, stateKey: '', content }));
  }

  get(type: string, stateKey: string): AuthEvent | undefined {
    return this.state.get(`${type}\u0000${stateKey}`);
  }

  readonly lookup: StateLookup = (type, stateKey) => this.get(type, stateKey);

  check(e: AuthEvent, ctx?: AuthContext): AuthOutcome {
    return checkAuth(this.rules, e, this.lookup, ctx);
  }

  /** Builds and checks an event in one step. */
  try(init: EventInit, ctx?: AuthContext): AuthOutcome {
    return this.check(this.event(init), ctx);
  }

  /** Builds and checks a member event for `target` with `membership`, sent by `sender`. */
  tryMember(sender: string, target: string, membership: string, content: Record<string, unknown> = {}, ctx?: AuthContext): AuthOutcome {
    return this.try({ type: 'm.room.member', sender, stateKey: target, content: { membership, ...content } }, ctx);
  }
}

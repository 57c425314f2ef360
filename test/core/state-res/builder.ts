// Builds a room DAG from edge lists, as Synapse's tests/state/test_v2.py does: each chain
// `['END', 'MB', 'MA', 'PA', 'START']` means END's prev event is MB, MB's is MA, and so on.
// Events are processed in topological order; the state before each one is the resolution
// of the states after its prev events, its auth_events are chosen from that state by the
// auth events selection, and its timestamp is its position in that order.

import { authTypesForEvent } from '../../../src/core/auth/auth-events.js';
import { checkAuth } from '../../../src/core/auth/check-auth.js';
import type { AuthRules } from '../../../src/core/auth/rules.js';
import type { AuthEvent, StateKey } from '../../../src/core/events/types.js';
import { stateKey } from '../../../src/core/events/types.js';
import { resolveState, type StateResAlgorithm } from '../../../src/core/state-res/index.js';

export const ALICE = '@alice:example.com';
export const BOB = '@bob:example.com';
export const CHARLIE = '@charlie:example.com';
export const EVELYN = '@evelyn:example.com';
export const ZARA = '@zara:example.com';

export interface FakeEvent {
  readonly id: string;
  readonly sender: string;
  readonly type: string;
  readonly stateKey?: string;
  readonly content?: Record<string, unknown>;
}

export const member = (id: string, sender: string, target: string, membership: string): FakeEvent => ({
  id,
  sender,
  type: 'm.room.member',
  stateKey: target,
  content: { membership },
});
export const powerLevels = (id: string, sender: string, content: Record<string, unknown>): FakeEvent => ({
  id,
  sender,
  type: 'm.room.power_levels',
  stateKey: '',
  content,
});
export const topic = (id: string, sender: string): FakeEvent => ({ id, sender, type: 'm.room.topic', stateKey: '', content: {} });
export const joinRules = (id: string, sender: string, rule: string): FakeEvent => ({
  id,
  sender,
  type: 'm.room.join_rules',
  stateKey: '',
  content: { join_rule: rule },
});
export const message = (id: string, sender: string): FakeEvent => ({ id, sender, type: 'm.room.message', content: {} });

export interface RoomVersion {
  readonly rules: AuthRules;
  readonly algorithm: StateResAlgorithm;
}

/**
 * Synapse's INITIAL_EVENTS: alice creates a public room with herself at 100, then bob,
 * charlie and zara join. In room v12 creators cannot be listed in `users` (and need not be).
 */
export function initialEvents(room: RoomVersion): FakeEvent[] {
  const v12 = room.rules.privilegedCreators;
  return [
    { id: 'CREATE', sender: ALICE, type: 'm.room.create', stateKey: '', content: v12 ? {} : { creator: ALICE } },
    member('IMA', ALICE, ALICE, 'join'),
    powerLevels('IPOWER', ALICE, { users: v12 ? {} : { [ALICE]: 100 } }),
    joinRules('IJR', ALICE, 'public'),
    member('IMB', BOB, BOB, 'join'),
    member('IMC', CHARLIE, CHARLIE, 'join'),
    member('IMZ', ZARA, ZARA, 'join'),
    message('START', ZARA),
    message('END', ZARA),
  ];
}
export const INITIAL_EDGES = ['START', 'IMZ', 'IMC', 'IMB', 'IJR', 'IPOWER', 'IMA', 'CREATE'];

export const eventIdOf = (node: string): string => `$${node}:example.com`;

export interface Dag {
  readonly events: Map<string, AuthEvent>;
  /** The state after each node, by node name. */
  readonly stateAfter: Map<string, Map<StateKey, string>>;
}

export function resolveWith(room: RoomVersion, events: ReadonlyMap<string, AuthEvent>, stateSets: Map<StateKey, string>[]) {
  return resolveState({
    algorithm: room.algorithm,
    rules: room.rules,
    stateSets,
    getEvent: (id) => events.get(id),
    checkAuth,
  });
}

export function buildDag(room: RoomVersion, extra: FakeEvent[], edges: string[][]): Dag {
  const fakes = new Map<string, FakeEvent>();
  for (const fake of [...initialEvents(room), ...extra]) fakes.set(fake.id, fake);
  const prevs = new Map<string, Set<string>>([...fakes.keys()].map((id) => [id, new Set<string>()]));
  for (const chain of [INITIAL_EDGES, ...edges]) {
    for (let i = 0; i + 1 < chain.length; i++) prevs.get(chain[i]!)!.add(chain[i + 1]!);
  }
  const roomId = room.rules.roomIdIsCreateEventId ? `!CREATE:example.com` : '!test:example.com';
  const events = new Map<string, AuthEvent>();
  const stateAfter = new Map<string, Map<StateKey, string>>();
  const depthOf = new Map<string, number>();

  for (const [ts, node] of topologicalOrder(prevs).entries()) {
    const fake = fakes.get(node)!;
    const prevNodes = [...prevs.get(node)!].sort();
    const before =
      prevNodes.length === 0
        ? new Map<StateKey, string>()
        : prevNodes.length === 1
          ? new Map(stateAfter.get(prevNodes[0]!)!)
          : resolveWith(room, events, prevNodes.map((p) => stateAfter.get(p)!));
    const content = fake.content ?? {};
    const authEvents = authTypesForEvent(room.rules, { type: fake.type, sender: fake.sender, stateKey: fake.stateKey, content })
      .map(([type, key]) => before.get(stateKey(type, key)))
      .filter((id): id is string => id !== undefined);
    const depth = Math.max(0, ...prevNodes.map((p) => depthOf.get(p)! + 1));
    depthOf.set(node, depth);
    const event: AuthEvent = {
      eventId: eventIdOf(node),
      roomId,
      sender: fake.sender,
      type: fake.type,
      stateKey: fake.stateKey,
      content,
      authEvents,
      prevEvents: prevNodes.map(eventIdOf),
      originServerTs: ts,
      depth,
    };
    events.set(event.eventId, event);
    const after = new Map(before);
    if (fake.stateKey !== undefined) after.set(stateKey(fake.type, fake.stateKey), event.eventId);
    stateAfter.set(node, after);
  }
  return { events, stateAfter };
}

/** Kahn's algorithm over prev_events, taking the smallest ready node name first. */
function topologicalOrder(prevs: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < prevs.size) {
    const ready = [...prevs].filter(([id, ps]) => !done.has(id) && [...ps].every((p) => done.has(p))).map(([id]) => id);
    if (ready.length === 0) throw new Error('the edges contain a cycle');
    const next = ready.sort()[0]!;
    done.add(next);
    order.push(next);
  }
  return order;
}

/**
 * Synapse's `do_check`: the state at END, restricted to the keys of the expected events
 * and the keys whose event changed since START, as a node per key.
 */
export function changedStateAtEnd(room: RoomVersion, extra: FakeEvent[], edges: string[][]): Map<StateKey, string> {
  const dag = buildDag(room, extra, edges);
  const start = dag.stateAfter.get('START')!;
  const end = dag.stateAfter.get('END')!;
  const changed = new Map<StateKey, string>();
  for (const [key, id] of end) if (start.get(key) !== id) changed.set(key, id.slice(1, id.indexOf(':')));
  return changed;
}

/** The expected state of `changedStateAtEnd`, from node names. */
export function expectedState(extra: FakeEvent[], nodes: string[]): Map<StateKey, string> {
  const expected = new Map<StateKey, string>();
  for (const node of nodes) {
    const fake = extra.find((e) => e.id === node)!;
    expected.set(stateKey(fake.type, fake.stateKey!), node);
  }
  return expected;
}

/** `state` with the given nodes' events put at their keys (to build a reset fork by hand). */
export function withEvents(dag: Dag, state: ReadonlyMap<StateKey, string>, nodes: string[]): Map<StateKey, string> {
  const out = new Map(state);
  for (const node of nodes) {
    const event = dag.events.get(eventIdOf(node))!;
    out.set(stateKey(event.type, event.stateKey!), event.eventId);
  }
  return out;
}

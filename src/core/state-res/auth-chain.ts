// Walks of the graph induced by `auth_events`: the full auth chain of a state set, and
// (room v12) the conflicted state subgraph. Each walk visits an event at most once, so it
// is bounded by the number of events reachable, whatever cycles hostile events contain.

import type { StateResContext, StateMap } from './types.js';

/**
 * "The auth chain of an event E is the set containing all of E's auth events, all of their
 * auth events, and so on recursively." The full auth chain of a state set is "the union
 * of the auth chains for each event in S_i". The events themselves are not included
 * unless another one cites them (Synapse includes them; ruma and the spec do not).
 */
export function fullAuthChain(ctx: StateResContext, eventIds: Iterable<string>): Set<string> {
  const chain = new Set<string>();
  const stack: string[] = [];
  const push = (id: string) => {
    if (chain.has(id)) return;
    chain.add(id);
    stack.push(id);
  };
  for (const id of eventIds) {
    const known = ctx.authChainOf?.(id);
    if (known !== undefined) {
      for (const a of known) chain.add(a);
      continue;
    }
    for (const a of ctx.event(id)?.authEvents ?? []) push(a);
  }
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const a of ctx.event(id)?.authEvents ?? []) push(a);
  }
  return chain;
}

/** The full auth chain of each state set, in order. */
export function stateSetAuthChains(ctx: StateResContext, stateSets: ReadonlyArray<StateMap>): Set<string>[] {
  return stateSets.map((state) => fullAuthChain(ctx, state.values()));
}

/**
 * Room v12: "Starting from an event in the conflicted state set and following
 * `auth_events` edges may lead to another event in the conflicted state set. The union of
 * all such paths between any pair of events in the conflicted state set (including
 * endpoints) forms a subgraph of the original `auth_event` graph, called the conflicted
 * state subgraph."
 *
 * An event is on such a path iff it is reachable from a conflicted event and a conflicted
 * event is reachable from it: one walk down from the conflicted events, then one walk back
 * up the edges it found. The conflicted events themselves are included, as Synapse does;
 * they belong to the full conflicted set anyway.
 */
export function conflictedStateSubgraph(ctx: StateResContext, conflictedIds: ReadonlySet<string>): Set<string> {
  // Walk down: every event reachable from a conflicted event, recording who cites whom.
  const citedBy = new Map<string, string[]>();
  const reachable = new Set<string>(conflictedIds);
  const stack = [...conflictedIds];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const a of ctx.event(id)?.authEvents ?? []) {
      const citers = citedBy.get(a);
      if (citers) citers.push(id);
      else citedBy.set(a, [id]);
      if (!reachable.has(a)) {
        reachable.add(a);
        stack.push(a);
      }
    }
  }
  // Walk back up from the conflicted events along those edges only.
  const subgraph = new Set<string>(conflictedIds);
  const up = [...conflictedIds];
  while (up.length > 0) {
    const id = up.pop()!;
    for (const citer of citedBy.get(id) ?? []) {
      if (!subgraph.has(citer)) {
        subgraph.add(citer);
        up.push(citer);
      }
    }
  }
  return subgraph;
}

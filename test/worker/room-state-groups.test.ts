// State groups with skip deltas (durable-objects/room/store/state-groups.ts) against a plain
// in-memory model: random branching histories with additions, replacements and removals.
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createGroup, groupChain, groupStateMap, lookupInGroup, pageGroupState, type StateChange } from '../../durable-objects/room/store/state-groups.js';
import { stateKey } from '../../src/core/events/types.js';

// A small deterministic PRNG so failures reproduce.
function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describe('state groups', () => {
  it('agree with an in-memory model over 600 random groups on branching histories', async () => {
    const stub = env.ROOMS.getByName('state-groups-model');
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      const rand = prng(42);
      const model = new Map<number, Map<string, string>>();
      const keys = Array.from({ length: 40 }, (_, i) => ['t' + (i % 3), `k${i}`] as const);
      const root = createGroup(sql, null, [['m.room.create', '', '$create']]);
      model.set(root, new Map([[stateKey('m.room.create', ''), '$create']]));
      const groups = [root];
      for (let i = 0; i < 600; i++) {
        // Mostly extend the newest group; sometimes branch from an older one.
        const parent = rand() < 0.8 ? groups[groups.length - 1]! : groups[Math.floor(rand() * groups.length)]!;
        const changes: StateChange[] = [];
        const n = 1 + Math.floor(rand() * 3);
        for (let j = 0; j < n; j++) {
          const [t, k] = keys[Math.floor(rand() * keys.length)]!;
          changes.push([t, k, rand() < 0.15 ? null : `$e${i}_${j}`]);
        }
        const id = createGroup(sql, parent, changes);
        const next = new Map(model.get(parent)!);
        for (const [t, k, e] of changes) {
          if (e === null) next.delete(stateKey(t, k));
          else next.set(stateKey(t, k), e);
        }
        model.set(id, next);
        groups.push(id);
      }
      for (const id of groups.filter((_, i) => i % 7 === 0 || i > 590)) {
        const want = model.get(id)!;
        expect(new Map(groupStateMap(sql, id)), `group ${id}`).toEqual(want);
        for (const [t, k] of keys.slice(0, 10)) expect(lookupInGroup(sql, id, t, k)).toBe(want.get(stateKey(t, k)));
        // Paging in small pages returns every entry once, in order.
        const paged: string[] = [];
        let after: [string, string] | undefined;
        do {
          const page = pageGroupState(sql, id, { after, limit: 4 });
          paged.push(...page.entries.map(([t, k, e]) => `${stateKey(t, k)}=${e}`));
          after = page.next;
        } while (after);
        const byTuple = (a: string, b: string) => {
          const [ta, ka] = a.split('\u0000') as [string, string];
          const [tb, kb] = b.split('\u0000') as [string, string];
          return ta < tb ? -1 : ta > tb ? 1 : ka < kb ? -1 : ka > kb ? 1 : 0;
        };
        expect(paged).toEqual([...want].sort(([a], [b]) => byTuple(a, b)).map(([k, e]) => `${k}=${e}`));
        // A lookup reads at most log2(position) + 1 groups.
        expect(groupChain(sql, id).length).toBeLessThanOrEqual(Math.floor(Math.log2(Math.max(1, groups.indexOf(id)))) + 2);
      }
    });
  });
});

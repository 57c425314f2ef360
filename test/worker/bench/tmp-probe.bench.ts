import { describe, it } from 'vitest';
import { createRoom, message } from '../room-helpers.js';
async function loop(label: string, n: number, f: (i: number) => Promise<unknown>) {
  const t0 = Date.now();
  for (let i = 0; i < n; i++) await f(i);
  const ms = Date.now() - t0;
  console.log(`BENCH ${label}: ${(ms / n).toFixed(3)} ms each, ${((n / ms) * 1000).toFixed(0)}/s`);
}
describe('probe', () => {
  it('rpc costs', async () => {
    const room = await createRoom('12');
    await loop('membershipOf', 500, () => room.stub.membershipOf(room.creator));
    await loop('getRoomInfo', 500, () => room.stub.getRoomInfo());
    await loop('send', 500, (i) => message(room, room.creator, `m${i}`));
    await loop('membershipOf', 500, () => room.stub.membershipOf(room.creator));
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 16 }, async (_, c) => { for (let i = 0; i < 50; i++) await room.stub.membershipOf(room.creator); }));
    console.log(`BENCH membershipOf x16: ${((800 / (Date.now() - t0)) * 1000).toFixed(0)}/s`);
  });
});

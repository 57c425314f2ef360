// TEMPORARY (rooms engineer): which router does the app end up with?
import { it } from 'vitest';
import { createApp } from '../../src/http/app.js';
it('router', () => {
  const app: any = createApp();
  const r = app.router;
  try { r.match('GET', '/_matrix/client/versions'); } catch (e) { console.log('err', e); }
  console.log('ROUTER', r.name, r.activeRouter?.name);
  let t0 = Date.now();
  for (let i = 0; i < 20000; i++) r.match('PUT', `/_matrix/client/v3/rooms/!abc:x/send/m.room.message/t${i}`);
  console.log('ROUTER ms', Date.now() - t0);
});

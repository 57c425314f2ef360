// Account benchmarks: the password hash's cost, login and registration latency, and what
// the rate limiter's Durable Object call adds to a request.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import type { RunningServer } from '../test/support/server.js';
import { latencySummary, ms, timeIt, type Row } from './support.js';

async function post(base: string, path: string, body: unknown, token?: string) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

export async function benchAccounts(limited: RunningServer, unlimited: RunningServer): Promise<Row[]> {
  const rows: Row[] = [];

  // PBKDF2-SHA256 at the iteration count Cirrus uses, natively (the same primitive WebCrypto runs).
  const salt = randomBytes(16);
  const hashTimes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    pbkdf2Sync('correct horse battery staple', salt, 100_000, 32, 'sha256');
    hashTimes.push(performance.now() - t0);
  }
  rows.push({ benchmark: 'PBKDF2-SHA256, 100,000 iterations (Node/OpenSSL)', figure: ms(latencySummary(hashTimes).p50), note: 'p50 of 20; CPU-bound' });

  const base = unlimited.baseUrl;
  const registerTimes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const [res, t] = await timeIt(() =>
      post(base, '/_matrix/client/v3/register', { username: `bench${i}`, password: 'pw', auth: { type: 'm.login.dummy' } }),
    );
    if (res.status !== 200) throw new Error(`register: ${JSON.stringify(res.body)}`);
    registerTimes.push(t);
  }
  const reg = latencySummary(registerTimes);
  rows.push({ benchmark: 'POST /register (dummy auth, hashes a password)', figure: `p50 ${ms(reg.p50)}, p99 ${ms(reg.p99)}`, note: '20 sequential' });

  const loginTimes: number[] = [];
  for (let i = 0; i < 50; i++) {
    const [res, t] = await timeIt(() =>
      post(base, '/_matrix/client/v3/login', { type: 'm.login.password', user: 'bench0', password: 'pw' }),
    );
    if (res.status !== 200) throw new Error(`login: ${JSON.stringify(res.body)}`);
    loginTimes.push(t);
  }
  const login = latencySummary(loginTimes);
  rows.push({ benchmark: 'POST /login (password)', figure: `p50 ${ms(login.p50)}, p99 ${ms(login.p99)}`, note: '50 sequential' });

  // The rate limiter's cost: the same cheap endpoint with the limiter on and off.
  const available = async (server: RunningServer) => {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const [, t] = await timeIt(() => fetch(`${server.baseUrl}/_matrix/client/v3/register/available?username=free${i}`).then((r) => r.text()));
      times.push(t);
    }
    return latencySummary(times.slice(20));
  };
  const on = await available(limited);
  const off = await available(unlimited);
  rows.push({
    benchmark: 'GET /register/available, rate limiter on vs off',
    figure: `p50 ${ms(on.p50)} vs ${ms(off.p50)}`,
    note: `Durable Object call adds ~${ms(Math.max(0, on.p50 - off.p50))} (p50)`,
  });

  const whoamiTimes: number[] = [];
  const { body } = await post(base, '/_matrix/client/v3/login', { type: 'm.login.password', user: 'bench1', password: 'pw' });
  for (let i = 0; i < 200; i++) {
    const [, t] = await timeIt(() =>
      fetch(`${base}/_matrix/client/v3/account/whoami`, { headers: { Authorization: `Bearer ${body.access_token}` } }).then((r) => r.text()),
    );
    whoamiTimes.push(t);
  }
  const who = latencySummary(whoamiTimes.slice(20));
  rows.push({ benchmark: 'GET /account/whoami (token check in D1)', figure: `p50 ${ms(who.p50)}, p99 ${ms(who.p99)}`, note: '180 sequential' });
  return rows;
}

// Name resolution for the outbound guard. Workers have no DNS API, so names are resolved with
// a DNS-over-HTTPS resolver's JSON API (DNS_RESOLVER_URL), A and AAAA in parallel. Answers
// are cached in the isolate for their TTL (at most an hour), in a bounded map; failures are
// not cached. The resolver is operator configuration and is not itself guarded.
import { type AddressRecordType, parseDohJson } from '../../core/net/doh.js';

export type Resolution = { ok: true; addresses: readonly string[] } | { ok: false; error: string };

const DOH_TIMEOUT_MS = 5_000;
const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_CACHED_NAMES = 1_000;
const MAX_TTL_SECONDS = 3_600;

const cache = new Map<string, { expiresAt: number; addresses: readonly string[] }>();

async function query(resolverUrl: string, name: string, type: AddressRecordType, signal: AbortSignal) {
  const url = new URL(resolverUrl);
  url.searchParams.set('name', name);
  url.searchParams.set('type', type);
  const res = await fetch(url, { headers: { Accept: 'application/dns-json' }, redirect: 'manual', signal });
  if (!res.ok) {
    await res.body?.cancel();
    return { ok: false as const, error: `the resolver answered HTTP ${res.status}` };
  }
  if (Number(res.headers.get('Content-Length') ?? 0) > MAX_ANSWER_BYTES) {
    await res.body?.cancel();
    return { ok: false as const, error: 'the resolver answer is too large' };
  }
  const text = await res.text();
  if (text.length > MAX_ANSWER_BYTES) return { ok: false as const, error: 'the resolver answer is too large' };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false as const, error: 'the resolver answer is not JSON' };
  }
  return parseDohJson(body, type);
}

/** Every A and AAAA address of `name` (empty if it has none), or why it could not be resolved. */
export async function resolveAddresses(name: string, resolverUrl: string, signal?: AbortSignal): Promise<Resolution> {
  const key = `${resolverUrl} ${name}`;
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.expiresAt > now) return { ok: true, addresses: hit.addresses };
  if (hit) cache.delete(key);

  const timeout = AbortSignal.timeout(DOH_TIMEOUT_MS);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let answers;
  try {
    answers = await Promise.all([query(resolverUrl, name, 'A', combined), query(resolverUrl, name, 'AAAA', combined)]);
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    return { ok: false, error: timedOut ? 'the DNS resolver timed out' : 'the DNS resolver could not be reached' };
  }
  const addresses: string[] = [];
  let ttlSeconds = MAX_TTL_SECONDS;
  for (const a of answers) {
    if (!a.ok) return { ok: false, error: a.error };
    addresses.push(...a.addresses);
    ttlSeconds = Math.min(ttlSeconds, a.ttlSeconds);
  }
  if (cache.size >= MAX_CACHED_NAMES) cache.delete(cache.keys().next().value!);
  cache.set(key, { expiresAt: now + ttlSeconds * 1000, addresses });
  return { ok: true, addresses };
}

// The one outbound guard (SSRF): every connection the server makes on behalf of a request or
// of remote input (identity servers now; federation, push gateways, URL previews and
// application services as they arrive) goes through checkOutbound or guardedFetch.
//
// A destination passes when it is allow-listed (OUTBOUND_ALLOW_HOSTS), or when its scheme is
// one the caller allows, its port is allowed (OUTBOUND_ALLOW_PORTS, default 443 only), and its
// host is a public IP literal or a DNS name every A and AAAA record of which is public
// (resolved over DNS-over-HTTPS, DNS_RESOLVER_URL). Nothing is connected to before that.
//
// Limit: fetch() resolves the name again itself, so a name whose records change between the
// check and the connection (DNS rebinding with a short TTL) is not caught here.
import { describeNonPublic } from '../../core/net/ip.js';
import { classifyHost } from '../../core/net/host.js';
import { resolveAddresses } from './dns.js';
import { type OutboundPolicy, isAllowListed } from './policy.js';

export type { AllowedHost, OutboundPolicy } from './policy.js';
export { DEFAULT_DNS_RESOLVER_URL, parseAllowedHost } from './policy.js';

/** The policy forbids this destination: a client error (400/403), never retried. */
export type RefusalReason = 'invalid-url' | 'scheme' | 'port' | 'non-public-address' | 'refused-name';
/** The destination could not be used: an upstream failure (502). */
export type UnavailableReason = 'dns-failed' | 'no-address' | 'connect-failed' | 'timeout' | 'too-large' | 'too-many-redirects';

export type OutboundFailure =
  | { ok: false; kind: 'refused'; reason: RefusalReason; message: string }
  | { ok: false; kind: 'unavailable'; reason: UnavailableReason; message: string };

export interface CheckedDestination {
  ok: true;
  url: URL;
  /** The port the connection will use (the scheme's default when the URL names none). */
  port: number;
  /** The public addresses the host was checked at (empty when allow-listed or the guard is off). */
  addresses: readonly string[];
  allowListed: boolean;
}

export interface GuardedFetchOptions {
  policy: OutboundPolicy;
  /** For the whole exchange: every hop, and reading the body. Default 10 s (an `init.signal` also applies). */
  timeoutMs?: number;
  /** The body is cut off with a `too-large` failure past this many bytes (Content-Length is checked first). */
  maxBytes?: number;
  /** Redirects followed, each re-checked; one more is a `too-many-redirects` failure. Default 0. */
  maxRedirects?: number;
}

export interface GuardedResponse {
  ok: true;
  response: Response;
  /** Where the response came from, after redirects. */
  url: URL;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_PORT: Record<string, number> = { 'https:': 443, 'http:': 80 };
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const refused = (reason: RefusalReason, message: string): OutboundFailure => ({ ok: false, kind: 'refused', reason, message });
const unavailable = (reason: UnavailableReason, message: string): OutboundFailure => ({ ok: false, kind: 'unavailable', reason, message });

/**
 * Whether the server may connect to `url` under `policy`, deciding before any connection
 * (only the DNS-over-HTTPS resolver is asked, for names). `signal` bounds the DNS lookup.
 */
export async function checkOutbound(
  url: string | URL,
  policy: OutboundPolicy,
  signal?: AbortSignal,
): Promise<CheckedDestination | OutboundFailure> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refused('invalid-url', 'not a valid URL');
  }
  const schemes = policy.schemes ?? ['https:'];
  if (!(schemes as readonly string[]).includes(parsed.protocol)) {
    return refused('scheme', `only ${schemes.map((s) => s.slice(0, -1)).join(' or ')} URLs are allowed, not ${parsed.protocol.slice(0, -1)}`);
  }
  if (parsed.username || parsed.password) return refused('invalid-url', 'URLs with credentials are not allowed');
  const host = parsed.host;
  const port = parsed.port ? Number(parsed.port) : DEFAULT_PORT[parsed.protocol]!;
  const pass = (addresses: readonly string[], allowListed: boolean): CheckedDestination => ({ ok: true, url: parsed, port, addresses, allowListed });

  if (!policy.enabled) return pass([], false);
  if (isAllowListed(policy, parsed.hostname, port)) return pass([], true);
  const kind = classifyHost(parsed.hostname);
  if (kind.kind === 'refused-name') return refused('refused-name', `${host}: ${kind.why}`);
  if (kind.kind === 'ip' && !kind.class.public) {
    return refused('non-public-address', `${parsed.hostname} is not a public address (${describeNonPublic(kind.class)})`);
  }
  if (!policy.allowPorts.includes(port)) {
    return refused('port', `${host}: port ${port} is not allowed (allowed: ${policy.allowPorts.join(', ')})`);
  }
  if (kind.kind === 'ip') return pass([parsed.hostname], false);
  const resolved = await resolveAddresses(kind.name, policy.resolverUrl, signal);
  if (!resolved.ok) return unavailable('dns-failed', `${host}: could not resolve the name: ${resolved.error}`);
  if (resolved.addresses.length === 0) return unavailable('no-address', `${host}: the name has no address`);
  for (const address of resolved.addresses) {
    const kindOfAddress = classifyHost(address.includes(':') ? `[${address}]` : address);
    const c = kindOfAddress.kind === 'ip' ? kindOfAddress.class : ({ public: false, range: 'unparseable' } as const);
    if (!c.public) return refused('non-public-address', `${host} resolves to ${address}, which is not a public address (${describeNonPublic(c)})`);
  }
  return pass(resolved.addresses, false);
}

/** The response's body, its cap enforced; a stream ended past the cap becomes `too-large`. */
class TooLarge extends Error {
  override name = 'TooLarge';
}

function capBody(res: Response, maxBytes: number): Response {
  if (!res.body) return res;
  let seen = 0;
  const body = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(new TooLarge(`the response is larger than ${maxBytes} bytes`));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

function failureOf(e: unknown, host: string): OutboundFailure {
  if (e instanceof TooLarge) return unavailable('too-large', `${host}: ${e.message}`);
  const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
  return timedOut ? unavailable('timeout', `${host}: timed out`) : unavailable('connect-failed', `${host}: could not connect`);
}

/**
 * fetch() through the guard: each hop (the URL, then every redirect) is checked before it is
 * connected to; redirects are followed by hand (at most `maxRedirects`), dropping
 * Authorization and Cookie headers when they leave the origin and turning 303 (and 301/302
 * after a POST) into a GET without a body, as browsers do. Never throws: a refused or failed
 * destination is an OutboundFailure. Request bodies should be strings or bytes, which a 307
 * or 308 can send again.
 */
export async function guardedFetch(url: string | URL, init: RequestInit, options: GuardedFetchOptions): Promise<GuardedResponse | OutboundFailure> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  const maxRedirects = options.maxRedirects ?? 0;
  let target: string | URL = url;
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body;
  const headers = new Headers(init.headers);
  for (let redirects = 0; ; redirects++) {
    const checked = await checkOutbound(target, options.policy, signal);
    if (!checked.ok) return checked;
    let res: Response;
    try {
      res = await fetch(checked.url, { ...init, method, body, headers, redirect: 'manual', signal });
    } catch (e) {
      return failureOf(e, checked.url.host);
    }
    const location = res.headers.get('Location');
    if (!REDIRECTS.has(res.status) || location === null) {
      if (options.maxBytes === undefined) return { ok: true, response: res, url: checked.url };
      if (Number(res.headers.get('Content-Length') ?? 0) > options.maxBytes) {
        await res.body?.cancel();
        return unavailable('too-large', `${checked.url.host}: the response is larger than ${options.maxBytes} bytes`);
      }
      return { ok: true, response: capBody(res, options.maxBytes), url: checked.url };
    }
    await res.body?.cancel();
    if (redirects >= maxRedirects) return unavailable('too-many-redirects', `${checked.url.host}: redirected more than ${maxRedirects} times`);
    let next: URL;
    try {
      next = new URL(location, checked.url);
    } catch {
      return refused('invalid-url', `${checked.url.host}: redirected to something that is not a URL`);
    }
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = method === 'HEAD' ? 'HEAD' : 'GET';
      body = undefined;
      headers.delete('Content-Type');
    }
    if (next.origin !== checked.url.origin) {
      headers.delete('Authorization');
      headers.delete('Cookie');
    }
    target = next;
  }
}

/** The whole body of a guardedFetch response as bytes, or the failure reading it (too large, timed out). */
export async function readBody(r: GuardedResponse): Promise<{ ok: true; bytes: Uint8Array } | OutboundFailure> {
  try {
    return { ok: true, bytes: new Uint8Array(await r.response.arrayBuffer()) };
  } catch (e) {
    return failureOf(e, r.url.host);
  }
}

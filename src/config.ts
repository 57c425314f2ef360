// The one typed configuration object, parsed and validated from Worker vars and secrets
// once per isolate. A bad value fails with a message naming the variable.
import * as z from 'zod';
import { type AllowedHost, type OutboundPolicy, DEFAULT_DNS_RESOLVER_URL, parseAllowedHost } from './platform/net/policy.js';

export type RegistrationPolicy = 'open' | 'token' | 'closed';

export interface Config {
  serverName: string;
  publicBaseUrl: string;
  federationDelegate: string | undefined;
  registration: RegistrationPolicy;
  maxRequestBytes: number;
  /** Synapse-style shared-secret registration; undefined = disabled. */
  registrationSharedSecret: string | undefined;
  /** PBKDF2 iterations for new password hashes; older hashes are upgraded at login. */
  passwordHashIterations: number;
  /** Lifetime of access tokens issued with a refresh token. */
  accessTokenLifetimeMs: number;
  rateLimits: {
    register: RateLimit | undefined;
    login: RateLimit | undefined;
    mediaUpload: RateLimit | undefined;
  };
  /** TURN relay handed to VoIP clients by /voip/turnServer; undefined = none configured. */
  turn: TurnConfig | undefined;
  /** The media repository (src/services/media). */
  media: MediaConfig;
  /** Presence (PRESENCE_ENABLED): when false, presence is neither stored nor sent in /sync. */
  presenceEnabled: boolean;
  /** IDENTITY_SERVER_INSECURE_HTTP: reach identity servers over http:// instead of https:// (tests only). */
  identityServerInsecureHttp: boolean;
  /** The outbound (SSRF) guard every server-made connection passes (src/platform/net/outbound.ts). */
  outbound: OutboundPolicy;
}

export interface MediaConfig {
  /** Largest upload in bytes: 413 M_TOO_LARGE beyond it; published as `m.upload.size`. */
  maxUploadBytes: number;
  /** Media created at or after this time (ms) is refused by the deprecated unauthenticated endpoints. */
  freezeTs: number;
  /** Images with more pixels than this are not decoded for thumbnails (413 M_TOO_LARGE). */
  maxThumbnailPixels: number;
}

/** A token bucket: `burst` requests at once, refilled evenly over `periodMs`. undefined = off. */
export interface RateLimit {
  burst: number;
  periodMs: number;
}

/** TURN URIs and how clients authenticate to them: coturn's `use-auth-secret`, or a fixed login. */
export interface TurnConfig {
  uris: readonly string[];
  ttlSeconds: number;
  auth: { kind: 'shared-secret'; secret: string } | { kind: 'static'; username: string; password: string };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const serverNameRe =
  /^(?:\[[0-9A-Fa-f:.]{2,45}\]|(?:\d{1,3}\.){3}\d{1,3}|[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)(?::\d{1,5})?$/;

const optionalString = z
  .string()
  .optional()
  .transform((s) => (s && s.trim() !== '' ? s.trim() : undefined));

const intString = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `"<burst>/<period><unit>"` such as `"10/60s"`, or `"off"`. */
const rateLimit = z
  .string()
  .regex(/^(off|\d+\/\d+(ms|s|m|h))$/, 'must look like "10/60s" (burst/period) or "off"')
  .transform((s): RateLimit | undefined => {
    if (s === 'off') return undefined;
    const [, burst, period, unit] = /^(\d+)\/(\d+)(ms|s|m|h)$/.exec(s)!;
    return { burst: Number(burst), periodMs: Number(period) * UNIT_MS[unit!]! };
  });

const commaList = (s: string) => s.split(',').map((e) => e.trim()).filter((e) => e !== '');

const allowedHosts = z.string().transform((s, ctx): AllowedHost[] => {
  const entries = commaList(s).map((e) => [e, parseAllowedHost(e)] as const);
  for (const [entry, parsed] of entries) {
    if (!parsed) ctx.addIssue({ code: 'custom', message: `"${entry}" is not a host, host:port, [IPv6] or [IPv6]:port` });
  }
  return entries.flatMap(([, parsed]) => (parsed ? [parsed] : []));
});

const ports = z
  .string()
  .transform(commaList)
  .pipe(z.array(z.string().regex(/^\d{1,5}$/, 'must be comma-separated port numbers').transform(Number).pipe(z.number().int().min(1).max(65_535))).min(1));

const schema = z.object({
  SERVER_NAME: z.string().regex(serverNameRe, 'must be a Matrix server name such as example.com or localhost:8008'),
  PUBLIC_BASEURL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  FEDERATION_DELEGATE: optionalString.pipe(z.string().regex(serverNameRe, 'must be host[:port]').optional()),
  REGISTRATION: z.enum(['open', 'token', 'closed']).default('token'),
  MAX_REQUEST_BYTES: intString(1024, 100 * 1024 * 1024).default(1_048_576),
  REGISTRATION_SHARED_SECRET: optionalString,
  PASSWORD_HASH_ITERATIONS: intString(10_000, 100_000).default(100_000),
  ACCESS_TOKEN_LIFETIME_MS: intString(10_000, 7 * 24 * 3_600_000).default(300_000),
  RATE_LIMIT_REGISTER: rateLimit.prefault('5/60s'),
  RATE_LIMIT_LOGIN: rateLimit.prefault('10/60s'),
  RATE_LIMIT_MEDIA_UPLOAD: rateLimit.prefault('30/60s'),
  MEDIA_MAX_UPLOAD_BYTES: intString(1024, 5 * 1024 ** 3).default(52_428_800),
  MEDIA_FREEZE_DATE: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/, 'must be an ISO 8601 date or date-time such as 2024-10-07 or 2024-10-07T12:00:00Z')
    .transform((s) => Date.parse(s))
    .pipe(z.number().int())
    .prefault('2024-10-07'),
  MEDIA_MAX_THUMBNAIL_PIXELS: intString(1, 100_000_000).default(12_582_912),
  TURN_URIS: optionalString.pipe(
    z
      .string()
      .transform((s) => s.split(',').map((u) => u.trim()).filter((u) => u !== ''))
      .pipe(z.array(z.string().regex(/^turns?:/, 'must be a comma-separated list of turn: or turns: URIs')))
      .optional(),
  ),
  TURN_SHARED_SECRET: optionalString,
  TURN_USERNAME: optionalString,
  TURN_PASSWORD: optionalString,
  TURN_TTL_SECONDS: intString(60, 30 * 24 * 3600).default(86_400),
  PRESENCE_ENABLED: z
    .enum(['true', 'false'], 'must be "true" or "false"')
    .transform((s) => s === 'true')
    .prefault('true'),
  // Third-party invites: identity servers are reached at https://{id_server} as the spec
  // requires ("hostname+port of the identity server"). "true" uses http:// instead, and lets
  // key_validity_url be http:, so tests can run a local fake identity server offline. Never
  // set it in production: lookups and stored invites would travel unencrypted.
  IDENTITY_SERVER_INSECURE_HTTP: z
    .enum(['true', 'false'], 'must be "true" or "false"')
    .transform((s) => s === 'true')
    .prefault('false'),
  // The outbound (SSRF) guard: destinations that skip it, the ports others may use, a
  // dev/test switch that turns it off, and the DNS-over-HTTPS resolver that checks names.
  OUTBOUND_ALLOW_HOSTS: allowedHosts.prefault(''),
  OUTBOUND_ALLOW_PORTS: ports.prefault('443'),
  OUTBOUND_GUARD: z.enum(['on', 'off'], 'must be "on" or "off"').transform((s) => s === 'on').prefault('on'),
  DNS_RESOLVER_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()).transform((u) => u ?? DEFAULT_DNS_RESOLVER_URL),
});

/** The TURN settings, which only make sense together. */
function turnConfig(v: z.output<typeof schema>): TurnConfig | undefined {
  const bad = (name: string, message: string) => new ConfigError(`Invalid configuration: ${name}: ${message}`);
  if ((v.TURN_USERNAME === undefined) !== (v.TURN_PASSWORD === undefined)) {
    throw bad(v.TURN_USERNAME === undefined ? 'TURN_USERNAME' : 'TURN_PASSWORD', 'TURN_USERNAME and TURN_PASSWORD go together');
  }
  if (!v.TURN_URIS?.length) return undefined;
  const auth: TurnConfig['auth'] | undefined = v.TURN_SHARED_SECRET
    ? { kind: 'shared-secret', secret: v.TURN_SHARED_SECRET }
    : v.TURN_USERNAME && v.TURN_PASSWORD
      ? { kind: 'static', username: v.TURN_USERNAME, password: v.TURN_PASSWORD }
      : undefined;
  if (!auth) throw bad('TURN_URIS', 'needs TURN_SHARED_SECRET, or TURN_USERNAME and TURN_PASSWORD');
  return { uris: v.TURN_URIS, ttlSeconds: v.TURN_TTL_SECONDS, auth };
}

function isLocal(serverName: string): boolean {
  return /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(serverName);
}

export function parseConfig(env: Record<string, unknown>): Config {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined) picked[key] = typeof v === 'string' ? v : String(v);
  }
  const result = schema.safeParse(picked);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${String(i.path[0] ?? '?')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const v = result.data;
  const publicBaseUrl = (v.PUBLIC_BASEURL ?? `${isLocal(v.SERVER_NAME) ? 'http' : 'https'}://${v.SERVER_NAME}`).replace(
    /\/+$/,
    '',
  );
  return {
    serverName: v.SERVER_NAME,
    publicBaseUrl,
    federationDelegate: v.FEDERATION_DELEGATE,
    registration: v.REGISTRATION,
    maxRequestBytes: v.MAX_REQUEST_BYTES,
    registrationSharedSecret: v.REGISTRATION_SHARED_SECRET,
    passwordHashIterations: v.PASSWORD_HASH_ITERATIONS,
    accessTokenLifetimeMs: v.ACCESS_TOKEN_LIFETIME_MS,
    rateLimits: { register: v.RATE_LIMIT_REGISTER, login: v.RATE_LIMIT_LOGIN, mediaUpload: v.RATE_LIMIT_MEDIA_UPLOAD },
    turn: turnConfig(v),
    media: {
      maxUploadBytes: v.MEDIA_MAX_UPLOAD_BYTES,
      freezeTs: v.MEDIA_FREEZE_DATE,
      maxThumbnailPixels: v.MEDIA_MAX_THUMBNAIL_PIXELS,
    },
    presenceEnabled: v.PRESENCE_ENABLED,
    identityServerInsecureHttp: v.IDENTITY_SERVER_INSECURE_HTTP,
    outbound: {
      enabled: v.OUTBOUND_GUARD,
      allowHosts: v.OUTBOUND_ALLOW_HOSTS,
      allowPorts: v.OUTBOUND_ALLOW_PORTS,
      resolverUrl: v.DNS_RESOLVER_URL,
    },
  };
}

const cache = new WeakMap<object, Config>();

/** The config for this Worker's env, parsed on first use and cached for the isolate. */
export function configFor(env: object): Config {
  let config = cache.get(env);
  if (!config) {
    config = parseConfig(env as Record<string, unknown>);
    cache.set(env, config);
  }
  return config;
}

// The one typed configuration object, parsed and validated from Worker vars and secrets
// once per isolate. A bad value fails with a message naming the variable.
import { z } from 'zod';

export type RegistrationPolicy = 'open' | 'token' | 'closed';

export interface Config {
  serverName: string;
  publicBaseUrl: string;
  federationDelegate: string | undefined;
  registration: RegistrationPolicy;
  maxRequestBytes: number;
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

const schema = z.object({
  SERVER_NAME: z.string().regex(serverNameRe, 'must be a Matrix server name such as example.com or localhost:8008'),
  PUBLIC_BASEURL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  FEDERATION_DELEGATE: optionalString.pipe(z.string().regex(serverNameRe, 'must be host[:port]').optional()),
  REGISTRATION: z.enum(['open', 'token', 'closed']).default('token'),
  MAX_REQUEST_BYTES: intString(1024, 100 * 1024 * 1024).default(1_048_576),
});

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

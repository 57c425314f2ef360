// The identity-server client the homeserver needs for third-party invites (identity service
// API v2): hash_details + lookup ("Association lookup"), store-invite ("Invitation storage")
// and key_validity_url ("Key management"). Every call goes through the outbound guard
// (src/platform/net/outbound.ts: a destination that is not public, or on a port that is not
// allowed, is refused with 403 before any connection), is bounded by a timeout and a response
// size, follows no redirects, and validates the answer with zod; failures come back as Matrix
// errors (Result values), never as thrown exceptions or 500s.
import * as z from 'zod';
import type { ErrCode } from '../core/errors.js';
import { sha256 } from '../core/crypto/sha256.js';
import { isValidUserId } from '../core/ids/index.js';
import { encodeBase64Url } from '../core/json/base64.js';
import { type OutboundFailure, type OutboundPolicy, checkOutbound, guardedFetch, readBody } from '../platform/net/outbound.js';
import { type Failure, type Result, fail, ok } from './rooms/common.js';

export interface IdentityServerOptions {
  /** IDENTITY_SERVER_INSECURE_HTTP: http:// instead of https:// (tests against a local fake). */
  insecureHttp: boolean;
  /** The outbound guard's policy (config.outbound). */
  outbound: OutboundPolicy;
  /** Per request, body included. Default 10 s. */
  timeoutMs?: number;
}

/** One identity server as a client names it: `id_server` (hostname[:port]) and `id_access_token`. */
export interface IdentityServer {
  options: IdentityServerOptions;
  idServer: string;
  accessToken: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Every answer here is a few hundred bytes; anything far larger is not an identity server. */
const MAX_RESPONSE_BYTES = 64 * 1024;

const schemeOf = (options: IdentityServerOptions) => (options.insecureHttp ? 'http' : 'https');
/** The guard's policy for identity servers: https only, unless IDENTITY_SERVER_INSECURE_HTTP. */
const policyOf = (options: IdentityServerOptions): OutboundPolicy => ({
  ...options.outbound,
  schemes: options.insecureHttp ? ['https:', 'http:'] : ['https:'],
});
const baseUrl = (is: IdentityServer) => `${schemeOf(is.options)}://${is.idServer}/_matrix/identity/v2`;

/** Identity-server errcodes worth passing on to the client as they are. */
const PASSED_ON: ReadonlySet<string> = new Set<ErrCode>(['M_THREEPID_IN_USE', 'M_UNRECOGNIZED', 'M_INVALID_PARAM']);

type JsonAnswer = { status: number; body: unknown };

/**
 * A destination the guard refuses is 403 M_FORBIDDEN (the server will not go there), one it
 * cannot reach, resolve or read is 502 M_UNKNOWN.
 */
function guardFailure(what: string, f: OutboundFailure): Failure {
  return f.kind === 'refused'
    ? fail(403, 'M_FORBIDDEN', `This server will not contact the identity server (${what}): ${f.message}`)
    : fail(502, 'M_UNKNOWN', `Identity server ${what} failed: ${f.message}`);
}

/** One request whose answer should be JSON; refused destinations are 403, unreachable, slow, huge or non-JSON answers 502. */
async function requestJson(options: IdentityServerOptions, what: string, url: string, init: RequestInit): Promise<Result<JsonAnswer>> {
  const fetched = await guardedFetch(url, init, {
    policy: policyOf(options),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: MAX_RESPONSE_BYTES,
  });
  if (!fetched.ok) return guardFailure(what, fetched);
  const read = await readBody(fetched);
  if (!read.ok) return guardFailure(what, read);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(read.bytes));
  } catch {
    return fail(502, 'M_UNKNOWN', `Identity server ${what} failed: the response (HTTP ${fetched.response.status}) is not JSON`);
  }
  return ok({ status: fetched.response.status, body });
}

/**
 * Whether the guard lets this server reach `idServer` at all, asked before anything that
 * cannot be undone (createRoom checks every invite_3pid entry before the room exists).
 */
export async function checkIdentityServer(options: IdentityServerOptions, idServer: string): Promise<Result<void>> {
  const checked = await checkOutbound(`${schemeOf(options)}://${idServer}/`, policyOf(options));
  return checked.ok ? ok(undefined) : guardFailure('id_server', checked);
}

const errorBody = z.looseObject({ errcode: z.string(), error: z.string().optional() });

/**
 * The identity server's refusal as the client's error: its own 401/403 (a bad or
 * unauthorised `id_access_token`, terms not accepted) become 403 here, never 401, which
 * would tell the client its homeserver session ended.
 */
function refusal(what: string, answer: JsonAnswer): Failure {
  const parsed = errorBody.safeParse(answer.body);
  const errcode = parsed.success ? parsed.data.errcode : undefined;
  const message = parsed.success && parsed.data.error ? `: ${parsed.data.error}` : '';
  const detail = `Identity server ${what} failed: HTTP ${answer.status}${errcode ? ` ${errcode}` : ''}${message}`;
  if (answer.status >= 500 || answer.status < 400) return fail(502, 'M_UNKNOWN', detail);
  if (answer.status === 401 || answer.status === 403) return fail(403, 'M_FORBIDDEN', detail);
  return fail(400, errcode !== undefined && PASSED_ON.has(errcode) ? (errcode as ErrCode) : 'M_UNKNOWN', detail);
}

/** A 2xx answer validated against `schema`, or the failure to report. */
function answerOf<S extends z.ZodType>(what: string, r: Result<JsonAnswer>, schema: S): Result<z.output<S>> {
  if (!r.ok) return r;
  if (r.value.status < 200 || r.value.status >= 300) return refusal(what, r.value);
  const parsed = schema.safeParse(r.value.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail(502, 'M_UNKNOWN', `Identity server ${what} gave an invalid answer at '${issue.path.map(String).join('.')}': ${issue.message}`);
  }
  return ok(parsed.data);
}

const authorised = (is: IdentityServer): Record<string, string> => ({ Authorization: `Bearer ${is.accessToken}` });

const hashDetails = z.looseObject({ lookup_pepper: z.string().min(1), algorithms: z.array(z.string()) });
const lookupAnswer = z.looseObject({ mappings: z.record(z.string(), z.unknown()) });

/**
 * The Matrix user ID bound to a 3PID, or undefined. "Prior to performing a lookup clients
 * SHOULD make a request to the /hash_details endpoint"; `sha256` is preferred ("Clients MUST
 * support at least the sha256 algorithm"), `none` used only when it is all the server offers,
 * as Synapse does. An `M_INVALID_PEPPER` (the pepper rotated) is retried once with a new one.
 */
export async function lookup3pid(is: IdentityServer, medium: string, address: string): Promise<Result<string | undefined>> {
  for (let attempt = 0; ; attempt++) {
    const details = answerOf(
      'hash_details',
      await requestJson(is.options, 'hash_details', `${baseUrl(is)}/hash_details`, { headers: authorised(is) }),
      hashDetails,
    );
    if (!details.ok) return details;
    const pepper = details.value.lookup_pepper;
    let algorithm: 'sha256' | 'none';
    let query: string;
    if (details.value.algorithms.includes('sha256')) {
      // "<address> <medium> <pepper>" through SHA-256, in URL-safe unpadded Base64.
      algorithm = 'sha256';
      query = encodeBase64Url(sha256(new TextEncoder().encode(`${address} ${medium} ${pepper}`)));
    } else if (details.value.algorithms.includes('none')) {
      algorithm = 'none';
      query = `${address} ${medium}`;
    } else {
      return fail(400, 'M_UNKNOWN', `Identity server ${is.idServer} supports no lookup algorithm this server knows (sha256, none)`);
    }
    const r = await requestJson(is.options, 'lookup', `${baseUrl(is)}/lookup`, {
      method: 'POST',
      headers: { ...authorised(is), 'Content-Type': 'application/json' },
      body: JSON.stringify({ addresses: [query], algorithm, pepper }),
    });
    // "Clients SHOULD make a call to /hash_details to get a new pepper in this scenario, being
    // careful to avoid retry loops."
    if (r.ok && r.value.status === 400 && attempt === 0 && errorBody.safeParse(r.value.body).data?.errcode === 'M_INVALID_PEPPER') continue;
    const answer = answerOf('lookup', r, lookupAnswer);
    if (!answer.ok) return answer;
    const mxid = Object.hasOwn(answer.value.mappings, query) ? answer.value.mappings[query] : undefined;
    if (mxid === undefined) return ok(undefined);
    if (typeof mxid !== 'string' || !isValidUserId(mxid)) return fail(502, 'M_UNKNOWN', 'Identity server lookup gave an invalid user ID');
    return ok(mxid);
  }
}

/** The body of POST /store-invite: the required fields, and the optional ones the room has. */
export interface StoreInviteRequest {
  medium: string;
  address: string;
  room_id: string;
  sender: string;
  room_alias?: string;
  room_avatar_url?: string;
  room_join_rules?: string;
  room_name?: string;
  room_type?: string;
  sender_display_name?: string;
  sender_avatar_url?: string;
}

export interface PublicKey {
  public_key: string;
  key_validity_url: string;
}

export interface StoredInvite {
  /** The state_key of the m.room.third_party_invite. */
  token: string;
  displayName: string;
  publicKeys: PublicKey[];
  /** The key for the event's legacy `public_key`/`key_validity_url` fields. */
  fallbackKey: PublicKey;
}

const storeInviteAnswer = z.looseObject({
  // "Must be a string consisting of the characters [0-9a-zA-Z.=_-]. Its length must not
  // exceed 255 characters and it must not be empty."
  token: z.string().regex(/^[0-9a-zA-Z.=_-]{1,255}$/, 'must be 1-255 characters of [0-9a-zA-Z.=_-]'),
  public_keys: z.array(z.looseObject({ public_key: z.string().min(1), key_validity_url: z.string().min(1) })).optional(),
  // Older identity servers (and Sydent, still) also answer a single `public_key`.
  public_key: z.string().min(1).optional(),
  display_name: z.string(),
});

/** POST /store-invite: the identity server keeps the invite and answers the token and its keys. */
export async function storeInvite(is: IdentityServer, invite: StoreInviteRequest): Promise<Result<StoredInvite>> {
  const answer = answerOf(
    'store-invite',
    await requestJson(is.options, 'store-invite', `${baseUrl(is)}/store-invite`, {
      method: 'POST',
      headers: { ...authorised(is), 'Content-Type': 'application/json' },
      body: JSON.stringify(invite),
    }),
    storeInviteAnswer,
  );
  if (!answer.ok) return answer;
  const { token, display_name: displayName, public_key: legacyKey } = answer.value;
  const publicKeys: PublicKey[] = (answer.value.public_keys ?? []).map((k) => ({ public_key: k.public_key, key_validity_url: k.key_validity_url }));
  // As Synapse: a top-level `public_key` is the long-term key, checked at /pubkey/isvalid.
  const fallbackKey = legacyKey !== undefined ? { public_key: legacyKey, key_validity_url: `${baseUrl(is)}/pubkey/isvalid` } : publicKeys[0];
  if (!fallbackKey) return fail(502, 'M_UNKNOWN', 'Identity server store-invite gave no public key');
  if (publicKeys.length === 0) publicKeys.push(fallbackKey);
  return ok({ token, displayName, publicKeys, fallbackKey });
}

const validity = z.looseObject({ valid: z.unknown() });

/**
 * Whether an identity server key is still valid: key_validity_url "can be fetched, with
 * querystring public_key=public_key, to validate whether the key has been revoked. The URL
 * must return a JSON object containing a boolean property named 'valid'."
 */
export async function isKeyValid(options: IdentityServerOptions, keyValidityUrl: string, publicKey: string): Promise<Result<boolean>> {
  let url: URL;
  try {
    url = new URL(keyValidityUrl);
  } catch {
    return fail(502, 'M_UNKNOWN', 'The identity server key cannot be checked: key_validity_url is not a URL');
  }
  // Its scheme, port and host are the guard's to judge (https only, unless IDENTITY_SERVER_INSECURE_HTTP).
  url.searchParams.set('public_key', publicKey);
  const answer = answerOf('key validity check', await requestJson(options, 'key validity check', url.href, {}), validity);
  return answer.ok ? ok(answer.value.valid === true) : answer;
}

// Third-party invites (client-server module "Third-party invites", server-server "Third-party
// invites"): inviting someone by email through an identity server (POST /rooms/{roomId}/invite
// with id_server/medium/address, and createRoom's invite_3pid), and turning a pending
// m.room.third_party_invite into a real invite when the identity server calls
// PUT /_matrix/federation/v1/3pid/onbind. The identity server is asked first, outside the
// room's write path; the room object then decides with the auth rules (rule 7 for
// m.room.third_party_invite, 5.4.1 for an invite carrying `third_party_invite`).
import { checkThirdPartyInvite } from '../../core/auth/third-party-invite.js';
import { verifyBytes } from '../../core/crypto/signing.js';
import type { AuthEvent, JsonObject } from '../../core/events/types.js';
import { isValidServerName, serverNameOf } from '../../core/ids/index.js';
import { type IdentityServerOptions, type StoreInviteRequest, checkIdentityServer, isKeyValid, lookup3pid, storeInvite } from '../identity-server.js';
import { type Failure, type Requester, type Result, type RoomsDeps, fail, fromRoom, membershipIn, ok, roomStub, stateContent } from './common.js';
import { inviteUser, joinRoom, resolveRoom, sendMember } from './membership.js';
import type { RoomRpc } from '../../../durable-objects/room/api.js';
import type { Config } from '../../config.js';

export interface ThirdPartyDeps extends RoomsDeps {
  identityServer: IdentityServerOptions;
}

/** The rooms dependencies plus how to reach identity servers (IDENTITY_SERVER_INSECURE_HTTP, the outbound guard). */
export const thirdPartyDeps = (deps: RoomsDeps, config: Pick<Config, 'identityServerInsecureHttp' | 'outbound'>): ThirdPartyDeps => ({
  ...deps,
  identityServer: { insecureHttp: config.identityServerInsecureHttp, outbound: config.outbound },
});

/** One invite by third-party identifier (invite_3pid.yaml), checked. */
export interface ThirdPartyInvite {
  idServer: string;
  idAccessToken: string;
  medium: string;
  address: string;
}

export interface ThirdPartyInviteFields {
  id_server?: string;
  id_access_token?: string;
  medium?: string;
  address?: string;
}

const REQUIRED = ['id_server', 'id_access_token', 'medium', 'address'] as const;

/**
 * invite_3pid.yaml requires all four fields: a missing one is 400 M_MISSING_PARAM (as Synapse
 * answers). `id_server` is "the hostname+port of the identity server": anything else (a URL,
 * a path) is 400 M_INVALID_PARAM, so it can only ever name a host.
 */
export function parseThirdPartyInvite(fields: ThirdPartyInviteFields): Result<ThirdPartyInvite> {
  const missing = REQUIRED.filter((k) => fields[k] === undefined);
  if (missing.length > 0) {
    return fail(400, 'M_MISSING_PARAM', `Missing params: ${missing.join(', ')} (all of ${REQUIRED.join(', ')} are required for a third-party invite)`);
  }
  const { id_server: idServer, id_access_token: idAccessToken, medium, address } = fields as Required<ThirdPartyInviteFields>;
  if (!isValidServerName(idServer)) return fail(400, 'M_INVALID_PARAM', 'id_server must be the hostname[:port] of an identity server');
  return ok({ idServer, idAccessToken, medium, address });
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

// POST /rooms/{roomId}/invite (third-party form)
export async function inviteBy3pid(deps: ThirdPartyDeps, requester: Requester, roomId: string, invite: ThirdPartyInvite): Promise<Result<object>> {
  const stub = roomStub(deps.env, roomId);
  // "Only users currently in a particular room can invite other users to join that room":
  // checked before the identity server hears of the address.
  if ((await membershipIn(stub, requester.userId)) !== 'join') {
    const info = await stub.getRoomInfo();
    if (!info.ok) return fail(404, 'M_NOT_FOUND', `Unknown room ${roomId}`);
    return fail(403, 'M_FORBIDDEN', 'You are not in this room');
  }
  const is = { options: deps.identityServer, idServer: invite.idServer, accessToken: invite.idAccessToken };
  const bound = await lookup3pid(is, invite.medium, invite.address);
  if (!bound.ok) return bound;
  // "If the lookup yields a result for a Matrix User ID then the normal invite process can be initiated."
  if (bound.value !== undefined) return inviteUser(deps, requester, roomId, bound.value, undefined);

  // Otherwise "the homeserver must store the invite on the identity server ... and emit a
  // valid m.room.third_party_invite event to the room".
  const stored = await storeInvite(is, await storeInviteRequest(stub, requester.userId, roomId, invite));
  if (!stored.ok) return stored;
  const { token, displayName, publicKeys, fallbackKey } = stored.value;
  const content: JsonObject = {
    display_name: displayName,
    public_keys: publicKeys.map((k) => ({ public_key: k.public_key, key_validity_url: k.key_validity_url })),
    // Required too, "for backwards compatibility".
    key_validity_url: fallbackKey.key_validity_url,
    public_key: fallbackKey.public_key,
  };
  const sent = await stub.sendEvent({ sender: requester.userId, event: { type: 'm.room.third_party_invite', stateKey: token, content } });
  return sent.ok ? ok({}) : fromRoom(sent);
}

/**
 * What Synapse tells the identity server for its invitation email: the room's name, avatar,
 * join rule, canonical alias and type, and the inviter's display name (their MXID if they
 * have none) and avatar from their membership. Fields the room lacks are left out.
 */
async function storeInviteRequest(stub: RoomRpc, sender: string, roomId: string, invite: ThirdPartyInvite): Promise<StoreInviteRequest> {
  const [alias, name, create, joinRules, avatar, member] = await Promise.all([
    stateContent(stub, 'm.room.canonical_alias'),
    stateContent(stub, 'm.room.name'),
    stateContent(stub, 'm.room.create'),
    stateContent(stub, 'm.room.join_rules'),
    stateContent(stub, 'm.room.avatar'),
    stateContent(stub, 'm.room.member', sender),
  ]);
  const request: StoreInviteRequest = { medium: invite.medium, address: invite.address, room_id: roomId, sender };
  const optional: [keyof StoreInviteRequest, string | undefined][] = [
    ['room_alias', str(alias?.alias)],
    ['room_avatar_url', str(avatar?.url)],
    ['room_join_rules', str(joinRules?.join_rule)],
    ['room_name', str(name?.name)],
    ['room_type', str(create?.type)],
    ['sender_display_name', str(member?.displayname) ?? sender],
    ['sender_avatar_url', str(member?.avatar_url)],
  ];
  for (const [key, value] of optional) if (value !== undefined) request[key] = value;
  return request;
}

/**
 * createRoom's `invite_3pid`, before the room exists: every `id_server` must be one the
 * outbound guard lets this server contact, so a refused one creates no room.
 */
export async function checkIdentityServers(deps: ThirdPartyDeps, invites: readonly ThirdPartyInvite[]): Promise<Result<void>> {
  for (const idServer of new Set(invites.map((i) => i.idServer))) {
    const checked = await checkIdentityServer(deps.identityServer, idServer);
    if (!checked.ok) return checked;
  }
  return ok(undefined);
}

/** createRoom's `invite_3pid`: each invite in turn once the room exists; the first failure stops them (as in Synapse). */
export async function inviteAllBy3pid(
  deps: ThirdPartyDeps,
  requester: Requester,
  roomId: string,
  invites: readonly ThirdPartyInvite[],
): Promise<Result<object>> {
  for (const invite of invites) {
    const r = await inviteBy3pid(deps, requester, roomId, invite);
    if (!r.ok) return r;
  }
  return ok({});
}

/** One entry of `invites` in PUT /3pid/onbind. */
export interface OnBindInvite {
  mxid: string;
  room_id: string;
  sender: string;
  signed: { mxid: string; token: string; [key: string]: unknown };
}

/**
 * PUT /_matrix/federation/v1/3pid/onbind: "The invited homeserver will create an
 * m.room.member invite event containing a special third_party_invite section containing the
 * token and a signed object, both provided by the identity server. If the invited homeserver
 * is in the room the invite came from, it can auth the event and send it." Every invite is
 * tried; as Synapse does, the answer is the last failure if any failed (so that an identity
 * server retries), else `{}`.
 */
export async function onBind(deps: ThirdPartyDeps, invites: readonly OnBindInvite[]): Promise<Result<object>> {
  let last: Failure | undefined;
  for (const invite of invites) {
    const r = await exchangeInvite(deps, invite);
    if (r.ok && r.value === 'not-here') {
      // A room on another server needs PUT /exchange_third_party_invite on a resident server.
      console.warn(`3pid/onbind: skipped the invite of ${invite.mxid} to ${invite.room_id}: the room is not on this server and federation is not supported yet`);
    } else if (!r.ok) {
      console.warn(`3pid/onbind: the invite of ${invite.mxid} to ${invite.room_id} failed: ${r.errcode} ${r.error}`);
      last = r;
    }
  }
  return last ?? ok({});
}

/** Exchanges one signed block for an invite; 'not-here' when this server does not have the room. */
async function exchangeInvite(deps: ThirdPartyDeps, invite: OnBindInvite): Promise<Result<'invited' | 'not-here'>> {
  // The identity server calls the homeserver of the user who bound the address.
  if (serverNameOf(invite.mxid) !== deps.serverName) return fail(400, 'M_INVALID_PARAM', `${invite.mxid} is not a user of this server`);
  const stub = roomStub(deps.env, invite.room_id);
  if (!(await stub.getRoomInfo()).ok) return ok('not-here');
  const current = await membershipIn(stub, invite.mxid);
  // A retried notification, or a user already in the room: nothing to exchange (an invite
  // would turn a joined member back into an invitee).
  if (current === 'invite' || current === 'join') return ok('invited');
  const token = invite.signed.token;
  const tpi = await stub.getStateEvent({ type: 'm.room.third_party_invite', stateKey: token });
  if (!tpi.ok) return fail(403, 'M_FORBIDDEN', `No third-party invite with token ${token} in ${invite.room_id}`);
  const tpiContent = tpi.event.content as Record<string, unknown>;
  const content = {
    membership: 'invite',
    // As Synapse: the display name comes from the m.room.third_party_invite being exchanged.
    third_party_invite: { display_name: typeof tpiContent.display_name === 'string' ? tpiContent.display_name : '', signed: invite.signed },
  };
  const verified = await verifySigned(deps, invite, content, current, tpi.event.sender, tpiContent);
  if (!verified.ok) return verified;
  const sent = await sendMember(deps, invite.room_id, stub, invite.sender, invite.mxid, content);
  return sent.ok ? ok('invited') : sent;
}

/**
 * Before sending: which public key of the m.room.third_party_invite signed the block (the
 * auth rule itself, run with one key at a time), and whether that key is still valid at its
 * key_validity_url, as the resident server "MUST validate that the public key used for
 * signing is still valid" (Synapse checks it here too). The room object runs the rule again
 * when it stores the event.
 */
async function verifySigned(
  deps: ThirdPartyDeps,
  invite: OnBindInvite,
  content: Record<string, unknown>,
  targetMembership: string | undefined,
  tpiSender: string,
  tpiContent: Record<string, unknown>,
): Promise<Result<void>> {
  const asAuthEvent = (sender: string, type: string, stateKey: string, c: Record<string, unknown>): AuthEvent => ({
    eventId: '',
    roomId: invite.room_id,
    sender,
    type,
    stateKey,
    content: c,
    authEvents: [],
    prevEvents: [],
    originServerTs: 0,
    depth: 0,
  });
  const member = asAuthEvent(invite.sender, 'm.room.member', invite.mxid, content);
  let last: Failure = fail(403, 'M_FORBIDDEN', 'third-party invite: the m.room.third_party_invite has no public key');
  for (const key of publicKeysOf(tpiContent)) {
    const onlyThisKey = asAuthEvent(tpiSender, 'm.room.third_party_invite', invite.signed.token, { public_key: key.publicKey });
    const lookup = (type: string, stateKey: string) =>
      type === 'm.room.third_party_invite' && stateKey === invite.signed.token ? onlyThisKey : undefined;
    const outcome = checkThirdPartyInvite(member, targetMembership, lookup, { verifyEd25519: (k, m, s) => verifyBytes(m, s, k) });
    if (!outcome.ok) {
      last = fail(403, 'M_FORBIDDEN', outcome.reason);
      continue;
    }
    // "If this URL is absent, the key must be considered valid indefinitely."
    if (key.keyValidityUrl === undefined) return ok(undefined);
    const valid = await isKeyValid(deps.identityServer, key.keyValidityUrl, key.publicKey);
    if (valid.ok && valid.value) return ok(undefined);
    last = valid.ok ? fail(403, 'M_FORBIDDEN', 'third-party invite: the identity server key that signed it has been revoked') : valid;
  }
  return last;
}

/** The event's keys as Synapse reads them: `public_key` (with `key_validity_url`), then `public_keys`. */
function publicKeysOf(content: Record<string, unknown>): { publicKey: string; keyValidityUrl?: string }[] {
  const keys: { publicKey: string; keyValidityUrl?: string }[] = [];
  const add = (publicKey: unknown, url: unknown) => {
    if (typeof publicKey !== 'string') return;
    if (keys.some((k) => k.publicKey === publicKey && k.keyValidityUrl === url)) return;
    keys.push(typeof url === 'string' ? { publicKey, keyValidityUrl: url } : { publicKey });
  };
  add(content.public_key, content.key_validity_url);
  if (Array.isArray(content.public_keys)) {
    for (const k of content.public_keys as unknown[]) {
      if (typeof k === 'object' && k !== null) add((k as Record<string, unknown>).public_key, (k as Record<string, unknown>).key_validity_url);
    }
  }
  return keys;
}

/** `third_party_signed` in POST /join (ThirdPartySigned): the identity server's signed block. */
export interface ThirdPartySigned {
  sender: string;
  mxid: string;
  token: string;
  signatures: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * POST /join with `third_party_signed`: "the homeserver must verify that it matches a pending
 * m.room.third_party_invite event in the room, and perform key validity checking if required
 * by the event". The block is exchanged for an invite sent on behalf of its `sender`, exactly
 * as /3pid/onbind does, then the user joins.
 */
export async function joinWithThirdPartySigned(
  deps: ThirdPartyDeps,
  requester: Requester,
  roomIdOrAlias: string,
  signed: ThirdPartySigned,
  reason: string | undefined,
): Promise<Result<{ room_id: string }>> {
  if (signed.mxid !== requester.userId) return fail(403, 'M_FORBIDDEN', 'third_party_signed names another user');
  const resolved = await resolveRoom(deps, roomIdOrAlias);
  if (!resolved.ok) return resolved;
  const roomId = resolved.value;
  const exchanged = await exchangeInvite(deps, { mxid: requester.userId, room_id: roomId, sender: signed.sender, signed });
  if (!exchanged.ok) return exchanged;
  if (exchanged.value === 'not-here') {
    return fail(404, 'M_NOT_FOUND', `Room ${roomId} is not known to this server (joining over federation is not supported yet)`);
  }
  return joinRoom(deps, requester, roomId, { reason });
}

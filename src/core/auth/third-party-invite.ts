// The m.room.member invite rule for invites carrying `third_party_invite` (rule 5.4.1 in
// room version 12; 5.3.1 in v1-5, 4.3.1 in v6-7, 4.4.1 in v8-11): the `signed` block must
// name the target, match an m.room.third_party_invite from the same sender, and be signed
// by one of that event's public keys.

import type { AuthEvent } from '../events/types.js';
import { canonicalJsonBytes } from '../json/canonical.js';
import { ALLOW, reject, type AuthContext, type AuthOutcome, type StateLookup } from './types.js';
import { isJsonObject } from '../json/object.js';

type Json = Record<string, unknown>;

/** Rules 5.4.1.1-8 for an invite whose content has a `third_party_invite` property. */
export function checkThirdPartyInvite(
  event: AuthEvent,
  targetMembership: string | undefined,
  state: StateLookup,
  ctx: AuthContext,
): AuthOutcome {
  // 1. If target user is banned, reject.
  if (targetMembership === 'ban') return reject('third-party invite: the target user is banned');
  // 2. If content.third_party_invite does not have a signed property, reject.
  const tpi = event.content['third_party_invite'];
  const signed = isJsonObject(tpi) ? tpi['signed'] : undefined;
  if (!isJsonObject(signed)) return reject('third-party invite: content.third_party_invite does not have a signed property');
  // 3. If signed does not have mxid and token properties, reject.
  const { mxid, token } = signed;
  if (typeof mxid !== 'string' || typeof token !== 'string') {
    return reject('third-party invite: signed does not have mxid and token properties');
  }
  // 4. If mxid does not match state_key, reject.
  if (mxid !== event.stateKey) return reject('third-party invite: mxid does not match state_key');
  // 5. If there is no m.room.third_party_invite event in the current room state with
  // state_key matching token, reject.
  const invite = state('m.room.third_party_invite', token);
  if (!invite) return reject('third-party invite: no m.room.third_party_invite event with state_key matching token');
  // 6. If sender does not match sender of the m.room.third_party_invite, reject.
  if (invite.sender !== event.sender) {
    return reject('third-party invite: sender does not match sender of the m.room.third_party_invite');
  }
  // 7. If any signature in signed matches any public key in the m.room.third_party_invite
  // event, allow. 8. Otherwise, reject.
  if (signedByAnyKey(signed, publicKeys(invite.content), ctx)) return ALLOW;
  return reject('third-party invite: no signature in signed matches a public key of the m.room.third_party_invite');
}

/** "A single public key in the public_key property. A list of public keys in the public_keys property." */
function publicKeys(content: Json): string[] {
  const keys: string[] = [];
  if (typeof content['public_key'] === 'string') keys.push(content['public_key']);
  const list = content['public_keys'];
  if (Array.isArray(list)) {
    for (const item of list) {
      if (isJsonObject(item) && typeof item['public_key'] === 'string') keys.push(item['public_key']);
    }
  }
  return keys;
}

function signedByAnyKey(signed: Json, keys: string[], ctx: AuthContext): boolean {
  const verify = ctx.verifyEd25519;
  const signatures = signed['signatures'];
  if (!verify || !isJsonObject(signatures) || keys.length === 0) return false;
  // Signing JSON: the object without `signatures` and `unsigned`, as canonical JSON.
  const { signatures: _s, unsigned: _u, ...unsignedPart } = signed;
  let message: Uint8Array;
  try {
    message = canonicalJsonBytes(unsignedPart);
  } catch {
    return false; // not representable as canonical JSON, so nothing can have signed it
  }
  for (const block of Object.values(signatures)) {
    if (!isJsonObject(block)) continue;
    for (const [keyId, signature] of Object.entries(block)) {
      if (!keyId.startsWith('ed25519:') || typeof signature !== 'string') continue;
      for (const key of keys) {
        try {
          if (verify(key, message, signature)) return true;
        } catch {
          // A malformed key or signature is simply not a match.
        }
      }
    }
  }
  return false;
}

// The capabilities the pure auth rules need from the room object (AuthContext in
// src/core/auth/types.ts): signature checks for `join_authorised_via_users_server` (room v8+,
// rule "If content has a join_authorised_via_users_server key: If the event is not validly
// signed by the homeserver of the user ID denoted by the key, reject") and for the `signed`
// block of third-party invites. Both are synchronous, as the rules are.
import type { AuthContext } from '../../../src/core/auth/index.js';
import { isEventSignedBy, type VerifyKeyLookup } from '../../../src/core/crypto/event-signing.js';
import { verifyBytes } from '../../../src/core/crypto/signing.js';
import type { Pdu } from '../../../src/core/events/types.js';
import type { RoomVersion } from '../../../src/core/room-versions.js';

/** "any signature in signed matches any public key in the m.room.third_party_invite event". */
const verifyEd25519 = (publicKeyBase64: string, message: Uint8Array, signatureBase64: string): boolean =>
  verifyBytes(message, signatureBase64, publicKeyBase64);

/**
 * For events this server builds: they are signed with this server's key before they are
 * stored, so they are validly signed by `origin` and by no other server.
 */
export function localAuthContext(origin: string): AuthContext {
  return { isSignedBy: (_event, server) => server === origin, verifyEd25519 };
}

/** For a received PDU: its signatures, checked against the keys the caller supplied. */
export function receivedAuthContext(pdu: Pdu, eventId: string, version: RoomVersion, keys: VerifyKeyLookup): AuthContext {
  return {
    isSignedBy: (event, server) => event.eventId === eventId && isEventSignedBy(pdu, version, server, keys),
    verifyEd25519,
  };
}

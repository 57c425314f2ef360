// Signing events (server-server "Signing Events"; appendix "Signing Events" vectors):
// "Before signing the event, the content hash of the event is calculated ... The event
// object is then redacted ... Finally it is signed ... The signature is then copied back to
// the original event object." Checking follows "Validating hashes and signatures on
// received events": signatures over the redacted form first, then the content hash.
import { redactEvent } from '../events/redaction.js';
import { serverNameOf } from '../ids/common.js';
import { canonicalOptions, checkContentHash, withContentHash } from './hashes.js';
import { ED25519, keyAlgorithm, signBytes, signingPayload, verifyJsonSignature, withSignature, type Signatures } from './signing.js';
import type { RoomVersion } from '../room-versions.js';

/** Finds a server's verification key: undefined when unknown, or expired for this event (the caller applies the version's validity rules). */
export type VerifyKeyLookup = (serverName: string, keyId: string) => Uint8Array | undefined;

type Hashed<T> = T & { hashes: { sha256: string }; signatures: Signatures };

/** The bytes an event signature covers: canonical JSON of the redacted event without `signatures`/`unsigned`. */
export function eventSigningPayload(pdu: object, version: RoomVersion): Uint8Array {
  return signingPayload(redactEvent(pdu, version.redaction), canonicalOptions(version));
}

/**
 * Hashes and signs an event with a 32-byte seed, returning a copy. For an asynchronous
 * signer: `withContentHash`, then sign `eventSigningPayload`, then `withSignature`.
 */
export function signEvent<T extends object>(
  pdu: T,
  version: RoomVersion,
  serverName: string,
  keyId: string,
  seed: Uint8Array,
): Hashed<T> {
  const hashed = withContentHash(pdu, version);
  return withSignature(hashed, serverName, keyId, signBytes(eventSigningPayload(hashed, version), seed));
}

/** Checks one signature on the redacted form of the event ("should succeed whether we have been sent the full event or a redacted copy"). */
export function verifyEventSignature(
  pdu: object,
  version: RoomVersion,
  serverName: string,
  keyId: string,
  publicKey: Uint8Array,
): boolean {
  try {
    return verifyJsonSignature(redactEvent(pdu, version.redaction), serverName, keyId, publicKey, canonicalOptions(version));
  } catch {
    return false;
  }
}

/**
 * The servers whose signatures an event needs: "unless the event is a 3rd party invite,
 * only the signature(s) from the originating server (the server the `sender` belongs to)
 * are required ... Room versions 1 and 2 also require that a signature is present from the
 * domain in the `event_id`, if it differs from the originating server."
 */
export function requiredSignatureServers(pdu: Record<string, unknown>, version: RoomVersion): string[] {
  const servers = new Set<string>();
  const senderServer = typeof pdu.sender === 'string' ? serverNameOf(pdu.sender) : undefined;
  if (!isThirdPartyInvite(pdu) && senderServer !== undefined) servers.add(senderServer);
  if (version.signing.requireEventIdDomainSignature && typeof pdu.event_id === 'string') {
    const eventServer = serverNameOf(pdu.event_id);
    if (eventServer !== undefined) servers.add(eventServer);
  }
  return [...servers];
}

/** An invite made from a third-party invite, which "may come from a different HS" than the sender's (as Synapse puts it). */
function isThirdPartyInvite(pdu: Record<string, unknown>): boolean {
  const content = pdu.content;
  return (
    pdu.type === 'm.room.member' &&
    typeof content === 'object' &&
    content !== null &&
    (content as Record<string, unknown>).membership === 'invite' &&
    Object.hasOwn(content, 'third_party_invite')
  );
}

/**
 * Whether the event is validly signed by `serverName`: at least one ed25519 signature from
 * a key the lookup knows, and every such signature valid ("Only signatures from known server
 * keys are validated here. Any unknown keys are ignored.").
 */
export function isEventSignedBy(pdu: object, version: RoomVersion, serverName: string, lookup: VerifyKeyLookup): boolean {
  const signatures = (pdu as { signatures?: unknown }).signatures;
  if (signatures === null || typeof signatures !== 'object' || !Object.hasOwn(signatures, serverName)) return false;
  const entry = (signatures as Record<string, unknown>)[serverName];
  if (entry === null || typeof entry !== 'object') return false;
  let verified = 0;
  for (const keyId of Object.keys(entry)) {
    if (keyAlgorithm(keyId) !== ED25519) continue;
    const key = lookup(serverName, keyId);
    if (key === undefined) continue;
    if (!verifyEventSignature(pdu, version, serverName, keyId, key)) return false;
    verified++;
  }
  return verified > 0;
}

export type EventVerification =
  | { readonly ok: true; readonly contentHashValid: boolean; readonly event: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks 2 and 3 on receipt of a PDU: "Passes signature checks, otherwise it is dropped.
 * Passes hash checks, otherwise it is redacted before being processed further." On success
 * `event` is the copy to use: the event itself, or its redacted form when the content hash
 * does not match.
 */
export function verifyEventHashesAndSignatures(
  pdu: Record<string, unknown>,
  version: RoomVersion,
  lookup: VerifyKeyLookup,
): EventVerification {
  const sender = typeof pdu.sender === 'string' ? serverNameOf(pdu.sender) : undefined;
  if (sender === undefined && !isThirdPartyInvite(pdu)) return { ok: false, reason: 'sender has no valid server name' };
  for (const server of requiredSignatureServers(pdu, version)) {
    if (!isEventSignedBy(pdu, version, server, lookup)) {
      return { ok: false, reason: `missing or invalid signature from ${server}` };
    }
  }
  let contentHashValid: boolean;
  try {
    contentHashValid = checkContentHash(pdu, version);
  } catch {
    contentHashValid = false;
  }
  return { ok: true, contentHashValid, event: contentHashValid ? pdu : redactEvent(pdu, version.redaction) };
}

// The inputs and outputs shared by every authorisation rule: the state lookup the caller
// supplies, the outcome value, and the injected capabilities (signature checks) that the
// pure core cannot perform itself.

import type { AuthEvent } from '../events/types.js';

/**
 * The state an event is checked against: its auth_events or the current state, as the
 * caller decides. In room v12 the lookup must still answer the `m.room.create` event.
 */
export type StateLookup = (type: string, stateKey: string) => AuthEvent | undefined;

/** Outcomes are values: `reason` quotes the rule that failed. */
export type AuthOutcome = { ok: true } | { ok: false; reason: string };

/** Capabilities injected by the caller so the rules stay pure and synchronous. */
export interface AuthContext {
  /**
   * Verifies an ed25519 signature (both strings in unpadded or padded base64, standard or
   * URL-safe as found in the event). Used for `third_party_invite.signed`. Without it a
   * third-party invite cannot be verified and is rejected.
   */
  verifyEd25519?(publicKeyBase64: string, message: Uint8Array, signatureBase64: string): boolean;
  /**
   * Whether `event` carries a valid signature from `serverName` (v8+ rule for
   * `join_authorised_via_users_server`). Without it the caller is trusted to have checked
   * signatures on receipt of the PDU, as the signature checks precede the auth rules.
   */
  isSignedBy?(event: AuthEvent, serverName: string): boolean;
  /** Whether `content.room_version` of an m.room.create is a recognised version. Default: "1".."12". */
  isKnownRoomVersion?(version: string): boolean;
}

export const ALLOW: AuthOutcome = Object.freeze({ ok: true });
export const reject = (reason: string): AuthOutcome => ({ ok: false, reason });

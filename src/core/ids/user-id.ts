// User identifiers (appendix "User Identifiers", "Historical User IDs", "Mapping from other
// character sets"). Three grammars, strictest first:
//  - current: localpart of `a-z 0-9 . _ = - / +`, required of new accounts;
//  - compliant: non-empty localpart of U+0021..U+007E;
//  - historical: any non-surrogate code points except `:` and NUL, including empty, which
//    "clients and servers MUST accept" for existing and federated IDs.
import { MAX_ID_BYTES, splitSigilId, utf8ByteLength } from './common.js';
import type { ServerName, UserId } from '../events/types.js';

export interface ParsedUserId {
  readonly userId: UserId;
  readonly localpart: string;
  readonly serverName: ServerName;
}

// user_id_localpart = 1*user_id_char
// user_id_char = DIGIT / %x61-7A / "-" / "." / "=" / "_" / "/" / "+"
const CURRENT_LOCALPART = /^[a-z0-9._=\-/+]+$/;
// "User IDs with localparts containing characters outside the range U+0021 to U+007E, or
// with an empty localpart, are considered non-compliant."
const COMPLIANT_LOCALPART = /^[\u0021-\u0039\u003b-\u007e]+$/;

/**
 * Parses a user ID under the historical grammar (what servers must accept over federation).
 * "The length of a user ID, including the `@` sigil and the domain, MUST NOT exceed 255 bytes."
 */
export function parseUserId(text: string): ParsedUserId | undefined {
  const parts = splitSigilId(text, '@');
  return parts && { userId: text as UserId, ...parts };
}

export function isValidUserId(text: string): text is UserId {
  return parseUserId(text) !== undefined;
}

/** A user ID whose localpart is non-empty printable ASCII (safe to forward to clients outside events). */
export function isCompliantUserId(text: string): text is UserId {
  const parsed = parseUserId(text);
  return parsed !== undefined && COMPLIANT_LOCALPART.test(parsed.localpart);
}

/** A user ID whose localpart matches the current grammar (`a-z0-9._=-/+`). */
export function isCurrentGrammarUserId(text: string): text is UserId {
  const parsed = parseUserId(text);
  return parsed !== undefined && CURRENT_LOCALPART.test(parsed.localpart);
}

/**
 * Whether a new account may take this localpart: "MUST NOT be empty, and MUST contain only
 * the characters a-z, 0-9, ., _, =, -, /, and +". With a server name, also checks that the
 * whole user ID fits in 255 bytes.
 */
export function isValidLocalpartForRegistration(localpart: string, serverName?: string): boolean {
  if (!CURRENT_LOCALPART.test(localpart)) return false;
  return serverName === undefined || utf8ByteLength(`@${localpart}:${serverName}`) <= MAX_ID_BYTES;
}

/** Joins a localpart and a server name into a user ID, if the result is valid (historical grammar). */
export function makeUserId(localpart: string, serverName: string): UserId | undefined {
  const id = `@${localpart}:${serverName}`;
  return isValidUserId(id) ? id : undefined;
}

const HEX = '0123456789abcdef';

/**
 * The spec's suggested mapping from other character sets onto the localpart grammar
 * (non-normative): 1. encode as UTF-8; 2. lower-case `A-Z` (or, with `escapeUpperCase`,
 * prefix them with `_` and escape a real `_` as `__`); 3. encode remaining bytes outside
 * the allowed set, and `=`, as `=` plus two lower-case hex digits.
 */
export function mapToUserLocalpart(text: string, options: { escapeUpperCase?: boolean } = {}): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const ch = String.fromCharCode(byte);
    if (byte >= 0x41 && byte <= 0x5a) {
      out += (options.escapeUpperCase ? '_' : '') + ch.toLowerCase();
    } else if (ch === '_' && options.escapeUpperCase) {
      out += '__';
    } else if (byte < 0x80 && ch !== '=' && CURRENT_LOCALPART.test(ch)) {
      out += ch;
    } else {
      out += `=${HEX[byte >> 4]}${HEX[byte & 15]}`;
    }
  }
  return out;
}

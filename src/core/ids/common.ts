// The common identifier format (appendix "Common Identifier Format"): `&string`, where
// `&` is a sigil, and for most kinds `&localpart:domain`. Shared helpers for the ID modules.
import { isValidServerName } from './server-name.js';
import type { ServerName } from '../events/types.js';

/** "The length of a user ID, including the `@` sigil and the domain, MUST NOT exceed 255 bytes" (likewise rooms, aliases, events). */
export const MAX_ID_BYTES = 255;

/** Length of a string in UTF-8 bytes, which is how every Matrix size limit is measured. */
export function utf8ByteLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export function withinIdLimit(id: string): boolean {
  return utf8ByteLength(id) <= MAX_ID_BYTES;
}

// "any legal non-surrogate Unicode code points except for `:` and `NUL` (U+0000)"
// (historical user IDs, room ID localparts, room alias localparts).
const LONE_SURROGATE = /\p{Cs}/u;

export function isLenientLocalpart(localpart: string): boolean {
  return !localpart.includes(':') && !localpart.includes('\u0000') && !LONE_SURROGATE.test(localpart);
}

/**
 * Splits `&localpart:domain` at the first `:` (localparts never contain one; server names
 * may, for the port). Checks the sigil, the localpart's lenient grammar, the server name
 * and the 255-byte limit.
 */
export function splitSigilId(
  id: string,
  sigil: string,
): { localpart: string; serverName: ServerName } | undefined {
  if (!id.startsWith(sigil) || !withinIdLimit(id)) return undefined;
  const colon = id.indexOf(':');
  if (colon < 0) return undefined;
  const localpart = id.slice(sigil.length, colon);
  const serverName = id.slice(colon + 1);
  if (!isLenientLocalpart(localpart) || !isValidServerName(serverName)) return undefined;
  return { localpart, serverName };
}

/**
 * The server name of any `&localpart:domain` identifier (user, room alias, room v1-11,
 * event v1-2). Undefined for IDs without a domain (room v12 and event v3+ hashes) or
 * with an invalid one.
 */
export function serverNameOf(id: string): ServerName | undefined {
  const colon = id.indexOf(':');
  if (colon < 0) return undefined;
  const serverName = id.slice(colon + 1);
  return isValidServerName(serverName) ? serverName : undefined;
}

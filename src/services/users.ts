// Local user names: the registration grammar and how login identifiers map to user IDs.
import { isValidLocalpartForRegistration, utf8ByteLength } from '../core/ids/index.js';

export function userIdFor(localpart: string, serverName: string): string {
  return `@${localpart}:${serverName}`;
}

/** Why a requested localpart can't be registered, or undefined if it can. */
export function invalidLocalpartReason(localpart: string, serverName: string): string | undefined {
  if (localpart.length === 0) return 'User ID cannot be empty';
  if (utf8ByteLength(userIdFor(localpart, serverName)) > 255) return 'User ID is too long';
  if (!isValidLocalpartForRegistration(localpart)) return 'User ID may only contain a-z, 0-9, and the characters ._=-/+';
  return undefined;
}

/**
 * Maps a login identifier (a localpart or a full user ID, any case) to a local user ID, or
 * undefined if it names another server or is malformed.
 */
export function resolveLocalUser(identifier: string, serverName: string): string | undefined {
  let localpart = identifier;
  if (identifier.startsWith('@')) {
    const colon = identifier.indexOf(':');
    if (colon < 0) return undefined;
    if (identifier.slice(colon + 1).toLowerCase() !== serverName.toLowerCase()) return undefined;
    localpart = identifier.slice(1, colon);
  }
  localpart = localpart.toLowerCase();
  if (localpart.length === 0) return undefined;
  return userIdFor(localpart, serverName);
}

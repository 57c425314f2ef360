// Event IDs (appendix "Event IDs"; room versions "Event IDs"): `$opaque_id`, at most 255
// bytes. The format depends on the room version:
//  - 'v1' (rooms v1-2): `$opaque_id:domain`, chosen by the sending server;
//  - 'v3' (room v3):    `$` + the reference hash in standard unpadded Base64;
//  - 'v4' (rooms v4+):  `$` + the reference hash in URL-safe unpadded Base64.
import { splitSigilId, withinIdLimit } from './common.js';
import type { EventId } from '../events/types.js';

export type EventIdFormat = 'v1' | 'v3' | 'v4';

// A sha256 reference hash is 32 bytes: 43 characters of unpadded Base64.
const STD_HASH = /^[A-Za-z0-9+/]{43}$/;
const URL_SAFE_HASH = /^[A-Za-z0-9_-]{43}$/;

/** Whether `text` is the unpadded URL-safe Base64 of a sha256 hash (v4+ event IDs, v12 room IDs). */
export function isUrlSafeHash(text: string): boolean {
  return URL_SAFE_HASH.test(text);
}

/** Whether `text` is a valid event ID in the given format. */
export function isValidEventId(text: string, format: EventIdFormat): text is EventId {
  if (!text.startsWith('$') || !withinIdLimit(text)) return false;
  switch (format) {
    case 'v1':
      return splitSigilId(text, '$') !== undefined;
    case 'v3':
      return STD_HASH.test(text.slice(1));
    case 'v4':
      return URL_SAFE_HASH.test(text.slice(1));
  }
}

/** Whether `text` is an event ID of any room version (for path parameters, where the version is not known yet). */
export function isAnyEventId(text: string): text is EventId {
  return isValidEventId(text, 'v1') || isValidEventId(text, 'v3') || isValidEventId(text, 'v4');
}

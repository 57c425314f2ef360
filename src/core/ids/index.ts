// Identifier grammar (appendix "Identifier Grammar"): server names, user IDs, room IDs,
// room aliases and event IDs. Parsers return values or undefined; nothing throws.
export { MAX_ID_BYTES, serverNameOf, utf8ByteLength, withinIdLimit } from './common.js';
export { isIPv4Literal, isIPv6Literal, isValidServerName, parseServerName, type ParsedServerName } from './server-name.js';
export {
  isCompliantUserId,
  isCurrentGrammarUserId,
  isValidLocalpartForRegistration,
  isValidUserId,
  makeUserId,
  mapToUserLocalpart,
  parseUserId,
  type ParsedUserId,
} from './user-id.js';
export {
  createEventIdFromRoomId,
  isValidRoomAlias,
  isValidRoomId,
  parseRoomAlias,
  parseRoomId,
  roomIdFromCreateEventId,
  type ParsedRoomAlias,
  type ParsedRoomId,
} from './room-id.js';
export { isAnyEventId, isUrlSafeHash, isValidEventId, type EventIdFormat } from './event-id.js';

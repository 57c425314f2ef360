// The Matrix authorisation rules for room versions 1 to 12 and the power-levels view.

export { checkAuth } from './check-auth.js';
export { checkAuthEventsShape, authTypesForEvent } from './auth-events.js';
export type { AuthTypesInput } from './auth-events.js';
export { powerLevelsView, parsePowerLevel, unreadablePowerLevel, integerPowerLevels, NAMED_LEVELS } from './power-levels.js';
export type { PowerLevelsView, NamedLevel } from './power-levels.js';
export { creatorOf, roomCreators } from './creators.js';
export { roomIdOfCreateEvent } from './create.js';
export { membershipOf } from './membership.js';
export { ALLOW, reject } from './types.js';
export type { StateLookup, AuthOutcome, AuthContext } from './types.js';
export * from './rules.js';

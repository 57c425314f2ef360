// Which authorisation-rule variant each room version uses, as data. Each version is built
// from the previous one by spreading, and each flag is named after the spec behaviour it
// toggles, so no code anywhere compares version strings. Every difference between the
// authorisation rules of room versions 1 to 12 is one of these flags.

export interface AuthRules {
  /** v1-5: m.room.aliases events must have state_key equal to the sender's domain (rule 4, removed in v6). */
  readonly specialCaseAliasesAuth: boolean;
  /** v1-2: a redaction is allowed at the redact level, or if the redacted event_id has the same domain as the redaction's (rule 11). */
  readonly redactionDomainCheck: boolean;
  /** v6+: `notifications` entries are checked like `events` when power levels change (rules 10.4/10.5 → 9.4/9.5). */
  readonly limitNotificationsPowerLevels: boolean;
  /** v7+: the `knock` join rule and membership. */
  readonly knocking: boolean;
  /** v8+: the `restricted` join rule with join_authorised_via_users_server. */
  readonly restrictedJoinRule: boolean;
  /** v10+: the `knock_restricted` join rule. */
  readonly knockRestrictedJoinRule: boolean;
  /** v10+: power-level values must be integers, not strings (rules 9.1-9.3). */
  readonly integerPowerLevels: boolean;
  /**
   * v1-5: power-level values may be floats, truncated towards zero ("accept values as
   * floats"). From v6 canonical JSON forbids floats.
   */
  readonly floatPowerLevels: boolean;
  /**
   * v11+: the creator is the create event's sender; `content.creator` is no longer
   * required (rule 1.4 removed) nor read.
   */
  readonly useCreateSenderAsCreator: boolean;
  /**
   * v12: room creators (the create event's sender and `additional_creators`) have
   * infinite power, cannot appear in power levels' `users`, and `additional_creators`
   * must be valid user IDs.
   */
  readonly privilegedCreators: boolean;
  /**
   * v12: the room ID is the create event's ID with sigil `!`; the create event has no
   * room_id and is never selected for auth_events.
   */
  readonly roomIdIsCreateEventId: boolean;
}

export const V1_AUTH: AuthRules = {
  specialCaseAliasesAuth: true,
  redactionDomainCheck: true,
  limitNotificationsPowerLevels: false,
  knocking: false,
  restrictedJoinRule: false,
  knockRestrictedJoinRule: false,
  integerPowerLevels: false,
  floatPowerLevels: true,
  useCreateSenderAsCreator: false,
  privilegedCreators: false,
  roomIdIsCreateEventId: false,
};
export const V2_AUTH: AuthRules = V1_AUTH;
export const V3_AUTH: AuthRules = { ...V2_AUTH, redactionDomainCheck: false };
export const V4_AUTH: AuthRules = V3_AUTH;
export const V5_AUTH: AuthRules = V4_AUTH;
export const V6_AUTH: AuthRules = {
  ...V5_AUTH,
  specialCaseAliasesAuth: false,
  limitNotificationsPowerLevels: true,
  floatPowerLevels: false,
};
export const V7_AUTH: AuthRules = { ...V6_AUTH, knocking: true };
export const V8_AUTH: AuthRules = { ...V7_AUTH, restrictedJoinRule: true };
export const V9_AUTH: AuthRules = V8_AUTH;
export const V10_AUTH: AuthRules = { ...V9_AUTH, knockRestrictedJoinRule: true, integerPowerLevels: true };
export const V11_AUTH: AuthRules = { ...V10_AUTH, useCreateSenderAsCreator: true };
export const V12_AUTH: AuthRules = { ...V11_AUTH, privilegedCreators: true, roomIdIsCreateEventId: true };

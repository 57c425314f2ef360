// User profiles (client-server "Profiles", extended profile fields from v1.16): reading a
// local user's profile and setting or removing one field under the spec's size rules.
// Remote profiles (federation query) are not fetched yet: remote users read as unknown.
import { canonicalJson } from '../core/json/canonical.js';
import * as profilesDb from '../db/profiles.js';
import { findUser } from '../db/users.js';

export type Profile = Record<string, unknown>;

/** The two fields that appear in m.room.member events and the deprecated capabilities. */
export const MEMBERSHIP_PROFILE_FIELDS: readonly string[] = ['displayname', 'avatar_url'];

/** "the total profile MUST be under 64 KiB" (measured as its canonical JSON, in bytes). */
export const MAX_PROFILE_BYTES = 64 * 1024;

/** "The supplied profile key exceeds the maximum allowed key length of 255 bytes." */
export const MAX_PROFILE_KEY_BYTES = 255;

/** Per-field limits the spec lets servers choose ("Servers MAY impose size limits on individual fields"); Synapse's values. */
export const MAX_DISPLAYNAME_LENGTH = 256;
export const MAX_AVATAR_URL_LENGTH = 1000;

// keyName: `avatar_url`, `displayname`, `m.tz`, "or a custom field following the Common
// Namespaced Identifier Grammar": starts with a-z, then a-z 0-9 `-` `_` `.` (all three
// defined names fit it too). The yaml's stricter regex would refuse names like
// `org.example-app.x` that the grammar (and Synapse) allow.
const PROFILE_KEY = /^[a-z][a-z0-9._-]*$/;

export type ProfileKeyProblem = 'too-large' | 'invalid';

/** Why a profile key name is unacceptable, or undefined if it is fine. */
export function profileKeyProblem(key: string): ProfileKeyProblem | undefined {
  if (new TextEncoder().encode(key).byteLength > MAX_PROFILE_KEY_BYTES) return 'too-large';
  return PROFILE_KEY.test(key) ? undefined : 'invalid';
}

async function readProfile(db: D1Database, userId: string): Promise<Profile> {
  const profile: Profile = {};
  for (const row of await profilesDb.listProfileFields(db, userId)) profile[row.field] = JSON.parse(row.value);
  return profile;
}

/**
 * A local user's whole profile, or undefined if no such local user exists (remote users
 * included, until profiles are queried over federation) or the account is deactivated.
 * An active user with nothing set has `{}`.
 */
export async function getProfile(db: D1Database, userId: string): Promise<Profile | undefined> {
  const user = await findUser(db, userId);
  if (!user || user.deactivated) return undefined;
  return readProfile(db, userId);
}

/** One field of a local user's profile, or undefined if the user or the field does not exist. */
export async function getProfileField(db: D1Database, userId: string, field: string): Promise<unknown> {
  const json = await profilesDb.findProfileField(db, userId, field);
  return json === null ? undefined : JSON.parse(json);
}

export type SetProfileOutcome =
  | {
      ok: true;
      /**
       * Whether `displayname` or `avatar_url` changed. Hook for the rooms issue: when true,
       * the user's m.room.member join events must be re-sent with the new values in every
       * room they are joined to (spec "Events on Change of Profile Information"), using
       * `memberEventProfile` for the content.
       */
      membershipChanged: boolean;
    }
  | { ok: false; errcode: 'M_PROFILE_TOO_LARGE'; message: string };

function sizeOf(profile: Profile): number {
  return new TextEncoder().encode(canonicalJson(profile, { strictNumbers: false })).byteLength;
}

/**
 * Sets (value defined) or removes (value undefined) one field of a local user's profile.
 * The caller has checked the key name and the value's type; this enforces the total size.
 * An empty `displayname` or `avatar_url` removes the field, as clients have long cleared
 * them with `""` (Synapse does the same).
 */
export async function setProfileField(
  db: D1Database,
  userId: string,
  field: string,
  value: unknown,
): Promise<SetProfileOutcome> {
  const clears = value === undefined || (value === '' && MEMBERSHIP_PROFILE_FIELDS.includes(field));
  const profile = await readProfile(db, userId);
  const before = canonicalJson(profile[field] ?? null, { strictNumbers: false });
  if (clears) delete profile[field];
  else profile[field] = value;
  if (!clears && sizeOf(profile) >= MAX_PROFILE_BYTES) {
    return {
      ok: false,
      errcode: 'M_PROFILE_TOO_LARGE',
      message: `The profile would exceed its maximum size of ${MAX_PROFILE_BYTES} bytes`,
    };
  }
  await (clears
    ? profilesDb.deleteProfileField(db, userId, field)
    : profilesDb.upsertProfileField(db, userId, field, JSON.stringify(value))
  ).run();
  const after = canonicalJson(profile[field] ?? null, { strictNumbers: false });
  return { ok: true, membershipChanged: MEMBERSHIP_PROFILE_FIELDS.includes(field) && before !== after };
}

/** Removes one field (DELETE /profile/{userId}/{keyName}); removing an unset field is fine. */
export const deleteProfileField = (db: D1Database, userId: string, field: string) =>
  setProfileField(db, userId, field, undefined);

/**
 * The `displayname` and `avatar_url` to put in the content of a local user's own
 * m.room.member events: "when homeservers emit room membership events for their own users,
 * they should include the display name and avatar URL fields". Called by the rooms code.
 */
export async function memberEventProfile(
  db: D1Database,
  userId: string,
): Promise<{ displayname?: string; avatar_url?: string }> {
  const profile = await readProfile(db, userId);
  const out: { displayname?: string; avatar_url?: string } = {};
  if (typeof profile.displayname === 'string') out.displayname = profile.displayname;
  if (typeof profile.avatar_url === 'string') out.avatar_url = profile.avatar_url;
  return out;
}

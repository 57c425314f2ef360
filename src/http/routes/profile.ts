// Profiles (client-server "Profiles", profile.yaml), including the extended fields of v1.16.
// Reads need no access token (the yaml gives them no `security`, and Synapse allows them
// by default); changes need the owner's token.
import { Hono, type Context } from 'hono';
import * as z from 'zod';
import { MatrixError, invalidParam, missingParam, notFound } from '../../core/errors.js';
import { isValidUserId } from '../../core/ids/index.js';
import {
  MAX_AVATAR_URL_LENGTH,
  MAX_DISPLAYNAME_LENGTH,
  deleteProfileField,
  getProfile,
  getProfileField,
  profileKeyProblem,
  setProfileField,
} from '../../services/profiles.js';
import { propagateProfileChange } from '../../services/rooms/membership.js';
import { assertSelf, requireAccessToken } from '../auth.js';
import { jsonBody, validate } from '../body.js';
import type { AppEnv } from '../context.js';
import { roomsDeps } from './rooms-params.js';

const BASE = '/_matrix/client/v3/profile';

// Profile error codes from profile.yaml.
const profileError = (errcode: 'M_KEY_TOO_LARGE' | 'M_PROFILE_TOO_LARGE', message: string) =>
  new MatrixError(400, errcode, message);

/** The path's user ID; a malformed one is 400 M_INVALID_PARAM (as Synapse answers). */
function pathUserId(c: Context<AppEnv>): string {
  const userId = c.req.param('userId')!;
  if (!isValidUserId(userId)) throw invalidParam(`Invalid user ID: ${userId}`);
  return userId;
}

/** The path's key name, checked against the 255-byte limit and the identifier grammar. */
function pathKeyName(c: Context<AppEnv>): string {
  const key = c.req.param('keyName')!;
  const problem = profileKeyProblem(key);
  if (problem === 'too-large') throw profileError('M_KEY_TOO_LARGE', 'Profile key exceeds 255 bytes');
  if (problem === 'invalid') throw invalidParam('Invalid profile key.');
  return key;
}

/**
 * The checks shared by PUT and DELETE: only the owner changes a profile, and "Guest users
 * may only modify their display name; other profile fields may not be changed."
 */
function changeTarget(c: Context<AppEnv>): { userId: string; key: string } {
  const userId = pathUserId(c);
  assertSelf(c, userId, 'the profile');
  const key = pathKeyName(c);
  if (c.var.auth.isGuest && key !== 'displayname') {
    throw new MatrixError(403, 'M_GUEST_ACCESS_FORBIDDEN', 'Guests may only change their display name');
  }
  return { userId, key };
}

/**
 * The value each key takes: "For `avatar_url`, the value MUST be an MXC URI string. For
 * `displayname`, the value MUST be a string. For `m.tz`, the value MUST be a valid
 * identifier from the IANA Time Zone Database" (which "Servers MAY choose to validate";
 * we check only that it is a string). "For custom keys, any JSON type is allowed."
 * avatar_url is not checked for the mxc:// form: test suites and older clients set others.
 */
function valueSchema(key: string): z.ZodType {
  switch (key) {
    case 'displayname':
      return z.string().max(MAX_DISPLAYNAME_LENGTH);
    case 'avatar_url':
      return z.string().max(MAX_AVATAR_URL_LENGTH);
    case 'm.tz':
      return z.string();
    default:
      return z.unknown();
  }
}

export const profileRoutes = new Hono<AppEnv>()
  // GET /_matrix/client/v3/profile/{userId}
  .get(`${BASE}/:userId`, async (c) => {
    const profile = await getProfile(c.env.DB, pathUserId(c));
    if (!profile) throw notFound('Profile not found');
    return c.json(profile);
  })
  // GET /_matrix/client/v3/profile/{userId}/{keyName}
  .get(`${BASE}/:userId/:keyName`, async (c) => {
    const userId = pathUserId(c);
    const key = pathKeyName(c);
    const value = await getProfileField(c.env.DB, userId, key);
    // "There is no profile field with this key for this user, or the user does not exist."
    if (value === undefined) throw notFound('Profile field not found');
    return c.json({ [key]: value });
  })
  // PUT /_matrix/client/v3/profile/{userId}/{keyName}
  .put(`${BASE}/:userId/:keyName`, requireAccessToken, async (c) => {
    const { userId, key } = changeTarget(c);
    const body = await jsonBody(c, z.looseObject({}));
    // "An object which contains exactly one property. The key of that property MUST match
    // the `keyName` specified in the URL."
    if (!Object.hasOwn(body, key)) throw missingParam(`Missing key '${key}'`);
    // "Servers MAY reject `null` values": we do, so clients delete with DELETE instead.
    if (body[key] === null) throw invalidParam(`'${key}' cannot be null; use DELETE to remove it`);
    const { [key]: value } = validate(z.object({ [key]: valueSchema(key) }), { [key]: body[key] });
    const outcome = await setProfileField(c.env.DB, userId, key, value);
    if (!outcome.ok) throw profileError(outcome.errcode, outcome.message);
    // "an m.room.member event (with a join membership) is sent to every room the user is a member of".
    if (outcome.membershipChanged) await propagateProfileChange(roomsDeps(c), userId);
    return c.json({});
  })
  // DELETE /_matrix/client/v3/profile/{userId}/{keyName}
  .delete(`${BASE}/:userId/:keyName`, requireAccessToken, async (c) => {
    const { userId, key } = changeTarget(c);
    // "The profile field was deleted or it doesn't exist": 200 either way.
    const outcome = await deleteProfileField(c.env.DB, userId, key);
    // As for PUT, a changed displayname/avatar_url is re-sent in the user's member events.
    if (outcome.ok && outcome.membershipChanged) await propagateProfileChange(roomsDeps(c), userId);
    return c.json({});
  });

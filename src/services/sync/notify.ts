// Telling a user's User object about changes made outside rooms, so that a waiting /sync
// wakes for them. A lost notice is repaired by the User object's catch-up (account data) or
// only delays a presence update; these calls never fail the request that made the change.
import { userStub } from './stubs.js';

/** The user's account data changed (global or per room, m.push_rules and m.fully_read included). */
export async function accountDataChanged(env: Env, userId: string): Promise<void> {
  try {
    await userStub(env, userId).accountDataChanged(userId);
  } catch (e) {
    console.error('sync: account-data notice failed', e);
  }
}

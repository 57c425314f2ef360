// How long rooms keep notifying a user's User object after it last synced (its "lease"):
// long enough that a syncing client never runs out (the object renews it at half-time), short
// enough that idle users cost rooms nothing. Shared by the User object and the sync service.
export const SYNC_LEASE_MS = 30 * 60_000;
export const SYNC_LEASE_RENEW_MS = 15 * 60_000;

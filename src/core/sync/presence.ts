// Presence (client-server "Presence"): what a stored presence row means at a given time, and
// when an update must be written and announced.

export type PresenceState = 'online' | 'unavailable' | 'offline';

/** "The server will automatically set a user's presence to unavailable if their last active time was over a threshold value (e.g. 5 minutes)." */
export const IDLE_AFTER_MS = 5 * 60_000;
/** No /sync nor presence update from any client for this long: offline. */
export const OFFLINE_AFTER_MS = 10 * 60_000;
/** currently_active holds while the user was active this recently. */
export const CURRENTLY_ACTIVE_MS = 60_000;
/** A sync refreshes the stored timestamps at most this often (it changes nobody's view). */
export const REFRESH_AFTER_MS = 60_000;

export interface StoredPresence {
  state: PresenceState;
  statusMsg: string | null;
  lastActiveTs: number;
  lastSeenTs: number;
  serial: number;
}

export interface PresenceContent {
  presence: PresenceState;
  last_active_ago?: number;
  status_msg?: string | null;
  currently_active?: boolean;
}

/** The presence to show now: idle and vanished clients turn unavailable and offline. */
export function presenceContent(p: StoredPresence, now: number): PresenceContent {
  const activeAgo = Math.max(0, now - p.lastActiveTs);
  let state = p.state;
  if (state !== 'offline' && now - p.lastSeenTs > OFFLINE_AFTER_MS) state = 'offline';
  else if (state === 'online' && activeAgo > IDLE_AFTER_MS) state = 'unavailable';
  const content: PresenceContent = { presence: state, last_active_ago: activeAgo };
  if (p.statusMsg !== null) content.status_msg = p.statusMsg;
  if (state === 'online') content.currently_active = activeAgo < CURRENTLY_ACTIVE_MS;
  return content;
}

export interface PresenceUpdate {
  state: PresenceState;
  /** undefined: keep the current message; null: clear it. */
  statusMsg?: string | null;
  /** A pro-active event ("changing presence state to online", an online /sync). */
  active: boolean;
}

/**
 * The row after an update, and whether others must be told (the state or message changed)
 * or only the timestamps need refreshing (`write`); undefined when nothing needs writing.
 */
export function applyPresenceUpdate(
  current: StoredPresence | undefined,
  update: PresenceUpdate,
  now: number,
): { next: StoredPresence; announce: boolean } | undefined {
  const statusMsg = update.statusMsg === undefined ? (current?.statusMsg ?? null) : update.statusMsg;
  const shownBefore = current ? presenceContent(current, now) : undefined;
  const announce = !current || shownBefore!.presence !== update.state || current.statusMsg !== statusMsg;
  const stale = !current || now - current.lastSeenTs >= REFRESH_AFTER_MS || (update.active && now - current.lastActiveTs >= REFRESH_AFTER_MS);
  if (!announce && !stale) return undefined;
  return {
    next: {
      state: update.state,
      statusMsg,
      lastActiveTs: update.active || !current ? now : current.lastActiveTs,
      lastSeenTs: now,
      serial: (current?.serial ?? 0) + (announce ? 1 : 0),
    },
    announce,
  };
}

// The failure every sync RPC answers for a room this object does not hold.
import type { RoomFailure } from '../api.js';

export const ROOM_NOT_FOUND: RoomFailure = { ok: false, errcode: 'M_NOT_FOUND', error: 'Unknown room' };

// Finding servable media for downloads and thumbnails: local media only for now (remote
// media needs federation), never quarantined, never frozen for the unauthenticated
// endpoints, and waiting up to `timeout_ms` for content that was created but not uploaded.
import { getMedia, LOCAL, type MediaRow } from '../../db/media.js';
import type { MediaEnv } from './upload.js';

/** "The default value is 20000 (20 seconds)". */
export const DEFAULT_TIMEOUT_MS = 20_000;
/** "The content repository SHOULD impose a maximum value for this parameter." */
export const MAX_TIMEOUT_MS = 60_000;

export interface LookupOptions {
  /** How long to wait for a pending upload, already clamped to MAX_TIMEOUT_MS. */
  timeoutMs: number;
  /** The deprecated unauthenticated endpoints serve only media from before the freeze. */
  unauthenticated: boolean;
}

export type LookupOutcome =
  | { ok: true; row: MediaRow & { blob_key: string; content_type: string; size: number } }
  | { ok: false; reason: 'not_found' | 'not_yet_uploaded' };

export type Uploaded = Extract<LookupOutcome, { ok: true }>['row'];

/** Clamps a client's `timeout_ms` (absent or invalid means the default). */
export function clampTimeout(raw: string | undefined): number {
  const n = raw === undefined ? DEFAULT_TIMEOUT_MS : Number(raw);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, MAX_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS;
}

/** The uploaded row for a local media ID, waiting for a pending upload if needed. */
export async function findLocalMedia(env: MediaEnv, mediaId: string, opts: LookupOptions): Promise<LookupOutcome> {
  const deadline = Date.now() + opts.timeoutMs;
  let pause = 200;
  for (;;) {
    const row = await getMedia(env.db, LOCAL, mediaId);
    if (!row || row.quarantined_by !== null) return { ok: false, reason: 'not_found' };
    // "any media uploaded after (or during) the freeze SHOULD only be accessible through
    // the new, authenticated, endpoints".
    if (opts.unauthenticated && row.created_ts >= env.config.media.freezeTs) return { ok: false, reason: 'not_found' };
    if (row.uploaded_ts !== null && row.blob_key !== null) {
      return { ok: true, row: row as Uploaded };
    }
    const now = Date.now();
    if (row.unused_expires_ts !== null && row.unused_expires_ts <= now) return { ok: false, reason: 'not_found' };
    if (now >= deadline) return { ok: false, reason: 'not_yet_uploaded' };
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, deadline - now)));
    pause = Math.min(pause * 2, 2000);
  }
}

/** A single byte range, resolved against the size. */
export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * Parses a `Range: bytes=...` header (RFC 9110 section 14.1.2) for one range. Anything else
 * (several ranges, other units, nonsense) is ignored and the whole content is served, as
 * the RFC allows; a range starting past the end is unsatisfiable (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const m = header && /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    // A suffix: the last N bytes.
    const n = Math.min(Number(m[2]), size);
    return n === 0 ? 'unsatisfiable' : { offset: size - n, length: n };
  }
  const first = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (first >= size) return 'unsatisfiable';
  if (last < first) return undefined;
  return { offset: first, length: last - first + 1 };
}

/** The stored bytes of an uploaded item, or a range of them. */
export async function openBlob(env: MediaEnv, row: Uploaded, range?: ByteRange): Promise<R2ObjectBody | null> {
  return env.bucket.get(row.blob_key, range ? { range } : undefined);
}

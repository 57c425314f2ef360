// The headers media is served with ("Security considerations" of the content repository):
// a sandboxing Content-Security-Policy, nosniff, Cross-Origin-Resource-Policy, and a
// Content-Disposition that is `inline` only for the spec's list of types that browsers will
// not run as script. File names are encoded per RFC 6266 / RFC 5987 (ASCII `filename` and,
// when needed, UTF-8 `filename*`), so no uploaded name can break or inject a header.

/** "The recommended policy is ..." (verbatim). */
export const MEDIA_CSP =
  "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; style-src 'unsafe-inline'; object-src 'self';";

/** "Servers SHOULD restrict Content-Type headers to one of the following values when serving content with Content-Disposition: inline". */
const INLINE_TYPES = new Set([
  'text/css',
  'text/plain',
  'text/csv',
  'application/json',
  'application/ld+json',
  'image/jpeg',
  'image/gif',
  'image/png',
  'image/apng',
  'image/webp',
  'image/avif',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'video/quicktime',
  'audio/mp4',
  'audio/webm',
  'audio/aac',
  'audio/mpeg',
  'audio/ogg',
  'audio/wave',
  'audio/wav',
  'audio/x-wav',
  'audio/x-pn-wav',
  'audio/flac',
  'audio/x-flac',
]);

// RFC 9110 token characters; a media type is type "/" subtype, then optional parameters.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[^"\\\\\\x00-\\x1f\\x7f]*"))*$`);

/**
 * The content type to store for an upload: the client's, if it is a well-formed media type,
 * else application/octet-stream ("Defaults to application/octet-stream if it is not set").
 */
export function normaliseContentType(header: string | undefined): string {
  const value = header?.trim();
  return value && value.length <= 255 && MEDIA_TYPE.test(value) ? value : 'application/octet-stream';
}

/** The media type without parameters, lower-cased ("text/plain; charset=utf-8" -> "text/plain"). */
export function essence(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

export const isInlineSafe = (contentType: string) => INLINE_TYPES.has(essence(contentType));

/** `inline` or `attachment`, with the file name (if any) encoded safely. */
export function contentDisposition(type: 'inline' | 'attachment', fileName: string | null | undefined): string {
  if (!fileName) return type;
  // Control characters never belong in a name; path separators are kept (the client decides).
  const name = fileName.replace(/[\x00-\x1f\x7f]/g, '');
  if (name === '') return type;
  const quoted = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;
  if (/^[\x20-\x7e]*$/.test(name)) return `${type}; filename=${quoted(name)}`;
  // RFC 6266 section 4.3: an ASCII fallback, then the exact name as RFC 5987 ext-value.
  const fallback = name.replace(/[^\x20-\x7e]/g, '_');
  return `${type}; filename=${quoted(fallback)}; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/** RFC 5987 `value-chars`: attr-char stays, everything else is percent-encoded UTF-8. */
function encodeRfc5987(s: string): string {
  return encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Headers for serving stored content (downloads and original-size "thumbnails"). */
export function mediaHeaders(opts: {
  contentType: string;
  fileName: string | null | undefined;
  size?: number;
  /** Thumbnails are always inline ("MUST be inline"), being images of the safe kinds. */
  forceInline?: boolean;
}): Headers {
  const h = new Headers();
  h.set('Content-Type', opts.contentType);
  const inline = opts.forceInline || isInlineSafe(opts.contentType);
  h.set('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', opts.fileName));
  h.set('Content-Security-Policy', MEDIA_CSP);
  h.set('X-Content-Type-Options', 'nosniff');
  h.set('Cross-Origin-Resource-Policy', 'cross-origin');
  // Content never changes under an ID, but quarantine must take effect: cache privately.
  h.set('Cache-Control', 'private, max-age=86400');
  if (opts.size !== undefined) h.set('Content-Length', String(opts.size));
  return h;
}

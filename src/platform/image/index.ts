// Thumbnail generation inside the Worker: JPEG and WebP through WebAssembly (jSquash's
// MozJPEG and libwebp), PNG on the runtime's zlib, GIF (first frame) in plain JavaScript;
// area-average downscaling; JPEG out for JPEG sources, PNG out for the rest (alpha kept).
// The pixel limit is checked against the header before any decoding. Every failure is an
// outcome value, never an exception.
import { decodeJpeg, decodeWebp, encodeJpeg, type RgbaImage } from './codecs.js';
import { ImageError, type ImageFailure } from './errors.js';
import { planThumbnail, type ThumbnailMethod, type ThumbnailPlan } from './geometry.js';
import { decodeGifFirstFrame, gifInfo } from './gif.js';
import { decodeCost, MIME_TYPES, readImageHeader, type ImageFormat } from './header.js';
import { decodePng, encodePng } from './png.js';
import { AreaResampler, resampleImage } from './resample.js';

export { decodeCost, HEADER_PREFIX_BYTES, MIME_TYPES, readImageHeader, type ImageFormat, type ImageHeader } from './header.js';
export { planThumbnail, type ThumbnailMethod, type ThumbnailPlan } from './geometry.js';
export type { ImageFailure } from './errors.js';

export interface ThumbnailRequest {
  width: number;
  height: number;
  method: ThumbnailMethod;
  /** The client's `animated` preference; animated output is never generated, but an animated original may be returned. */
  animated: boolean;
}

export type ThumbnailResult =
  | { ok: true; kind: 'thumbnail'; bytes: Uint8Array; contentType: string; width: number; height: number }
  /** The original already fits the request: serve it unchanged, as this (sniffed) type. */
  | { ok: true; kind: 'original'; contentType: string }
  | { ok: false; reason: ImageFailure; message: string };

/** Makes a thumbnail of `bytes` (a whole image file), refusing images over `maxPixels` unread. */
export async function makeThumbnail(bytes: Uint8Array, req: ThumbnailRequest, maxPixels: number): Promise<ThumbnailResult> {
  try {
    const header = readImageHeader(bytes);
    return await oneBigDecodeAtATime(header ? decodeCost(header) : 0, () => thumbnail(bytes, req, maxPixels));
  } catch (e) {
    if (e instanceof ImageError) return { ok: false, reason: e.reason, message: e.message };
    // Allocation failures, WebAssembly traps: the image is unusable, the request is not.
    return { ok: false, reason: 'corrupt', message: `Cannot thumbnail this image: ${e instanceof Error ? e.message : String(e)}` };
  }
}

// A large decode peaks near 100 MB (see decodeCost); two interleaved in one isolate would
// not fit in a Worker's 128 MB. So large decodes take turns: a request waits (polling its own
// timer, never awaiting another request's promise) while another holds the turn; a holder
// that vanished without releasing it is ignored after GATE_STALE_MS.
const BIG_DECODE = 2_000_000;
const GATE_STALE_MS = 30_000;
const GATE_WAIT_MS = 20_000;
let gateHolder: { since: number } | undefined;

async function oneBigDecodeAtATime<T>(cost: number, run: () => Promise<T>): Promise<T> {
  if (cost < BIG_DECODE) return run();
  const deadline = Date.now() + GATE_WAIT_MS;
  while (gateHolder && Date.now() - gateHolder.since < GATE_STALE_MS) {
    if (Date.now() >= deadline) throw new ImageError('busy', 'Busy making other thumbnails');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const mine = { since: Date.now() };
  gateHolder = mine;
  try {
    return await run();
  } finally {
    if (gateHolder === mine) gateHolder = undefined;
  }
}

async function thumbnail(bytes: Uint8Array, req: ThumbnailRequest, maxPixels: number): Promise<ThumbnailResult> {
  const header = readImageHeader(bytes);
  if (!header) throw new ImageError('unsupported', 'Not a JPEG, PNG, GIF or WebP image');
  let { width, height, animated } = header;
  if (header.format === 'gif') {
    const info = gifInfo(bytes);
    animated = info.frames > 1;
    [width, height] = [info.width, info.height];
  }
  if (decodeCost({ ...header, width, height }) > maxPixels) {
    throw new ImageError('too_large', `Image is ${width}x${height}, over the thumbnailing limit`);
  }

  const plan = planThumbnail(width, height, req.width, req.height, req.method);
  const sourceType = MIME_TYPES[header.format];
  if (plan === 'original') {
    // "When the content is smaller than the requested dimensions, servers should return the
    // original content" - unless it is animated and animation was not asked for ("When
    // false, the server MUST NOT return an animated thumbnail"; absent: SHOULD NOT).
    if (!animated || req.animated) return { ok: true, kind: 'original', contentType: sourceType };
    if (header.format === 'webp') throw new ImageError('unsupported', 'Animated WebP cannot be thumbnailed');
    return encode(header.format, await decodeStill(header.format, bytes, maxPixels), { sx: 0, sy: 0, sw: width, sh: height, width, height });
  }

  if (header.format === 'png') {
    // Streamed: rows go straight into the resampler.
    const resampler = new AreaResampler(plan);
    await decodePng(bytes, (y, row) => resampler.pushRow(y, row));
    return encodeOut('png', resampler.finish(), plan);
  }
  if (header.format === 'webp' && animated) throw new ImageError('unsupported', 'Animated WebP cannot be thumbnailed');
  const image = await decodeStill(header.format, bytes, maxPixels);
  // A JPEG's EXIF orientation may have swapped its sides: plan again on what was decoded.
  const finalPlan = image.width === width && image.height === height ? plan : planThumbnail(image.width, image.height, req.width, req.height, req.method);
  if (finalPlan === 'original') return { ok: true, kind: 'original', contentType: sourceType };
  return encode(header.format, image, finalPlan);
}

async function decodeStill(format: ImageFormat, bytes: Uint8Array, maxPixels: number): Promise<RgbaImage> {
  switch (format) {
    case 'jpeg':
      return decodeJpeg(bytes);
    case 'webp':
      return decodeWebp(bytes);
    case 'gif':
      return decodeGifFirstFrame(bytes, maxPixels);
    case 'png': {
      const { width, height } = readImageHeader(bytes)!;
      const data = new Uint8ClampedArray(width * height * 4);
      await decodePng(bytes, (y, row) => data.set(row, y * row.length));
      return { data, width, height };
    }
  }
}

function encode(format: ImageFormat, image: RgbaImage, plan: ThumbnailPlan): Promise<ThumbnailResult> {
  const pixels = plan.width === image.width && plan.height === image.height && plan.sw === image.width ? image.data : resampleImage(image.data, image.width, plan);
  return encodeOut(format === 'jpeg' ? 'jpeg' : 'png', pixels, plan);
}

async function encodeOut(format: 'jpeg' | 'png', pixels: Uint8ClampedArray, plan: ThumbnailPlan): Promise<ThumbnailResult> {
  const bytes = format === 'jpeg' ? await encodeJpeg(pixels, plan.width, plan.height) : await encodePng(pixels, plan.width, plan.height);
  return { ok: true, kind: 'thumbnail', bytes, contentType: MIME_TYPES[format], width: plan.width, height: plan.height };
}

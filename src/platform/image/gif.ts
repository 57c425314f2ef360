// GIF: the first frame, composited on a transparent canvas of the logical screen size
// (omggif, plain JavaScript). Animated thumbnails are not generated.
import { GifReader } from 'omggif';
import type { RgbaImage } from './codecs.js';
import { ImageError } from './errors.js';

export interface GifInfo {
  width: number;
  height: number;
  frames: number;
}

function reader(bytes: Uint8Array): GifReader {
  try {
    return new GifReader(bytes);
  } catch (e) {
    throw new ImageError('corrupt', `GIF: ${(e as Error).message}`);
  }
}

/** Frame count and canvas size, from walking the blocks (nothing is decompressed). */
export function gifInfo(bytes: Uint8Array): GifInfo {
  const r = reader(bytes);
  return { width: r.width, height: r.height, frames: r.numFrames() };
}

export function decodeGifFirstFrame(bytes: Uint8Array, maxPixels: number): RgbaImage {
  const r = reader(bytes);
  if (r.numFrames() === 0) throw new ImageError('corrupt', 'GIF without frames');
  const f = r.frameInfo(0);
  // omggif sizes its index buffer from the frame descriptor: bound it before decoding.
  if (f.width * f.height > maxPixels || r.width * r.height > maxPixels) {
    throw new ImageError('too_large', 'GIF frame is too large to thumbnail');
  }
  const data = new Uint8ClampedArray(r.width * r.height * 4);
  try {
    r.decodeAndBlitFrameRGBA(0, data);
  } catch (e) {
    throw new ImageError('corrupt', `GIF: ${(e as Error).message}`);
  }
  return { data, width: r.width, height: r.height };
}

// Image format and dimensions read from the first bytes of a file, before anything is
// decoded: the thumbnailer refuses images over the pixel limit from their header alone
// (no decompression bombs). Pure functions over bytes; the format comes from the magic
// number, never from the uploader's Content-Type.

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
  /** True when the header already shows several frames (APNG acTL, WebP ANIM flag). GIF frames are counted on decode. */
  animated: boolean;
  /** A progressive (or multi-scan) JPEG, whose decoder holds every DCT coefficient at once. */
  progressive?: boolean;
}

/**
 * What decoding costs, in "pixels" to compare with the thumbnailing limit. Measured peak
 * memory (wasm heap + the decoded RGBA copy): about 8 bytes per pixel for a baseline JPEG
 * or WebP, about 12 for a progressive JPEG, so those count one and a half times.
 */
export function decodeCost(h: ImageHeader): number {
  return h.width * h.height * (h.progressive ? 1.5 : 1);
}

export const MIME_TYPES: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
};

/** How many leading bytes `readImageHeader` may need (JPEG metadata segments come before SOF). */
export const HEADER_PREFIX_BYTES = 1 << 20;

const u16be = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u16le = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u24le = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16);
const u32be = (b: Uint8Array, o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));

/** The format and size of an image, or undefined if the bytes are not a (complete enough) JPEG, PNG, GIF or WebP header. */
export function readImageHeader(b: Uint8Array): ImageHeader | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpegHeader(b);
  if (b.length >= 24 && ascii(b, 0, 8) === '\x89PNG\r\n\x1a\n') return pngHeader(b);
  if (b.length >= 10 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) {
    return valid({ format: 'gif', width: u16le(b, 6), height: u16le(b, 8), animated: false });
  }
  if (b.length >= 30 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return webpHeader(b);
  return undefined;
}

function valid(h: ImageHeader): ImageHeader | undefined {
  return h.width > 0 && h.height > 0 ? h : undefined;
}

/** Walks the marker segments to the first SOFn (ITU T.81 B.2). */
function jpegHeader(b: Uint8Array): ImageHeader | undefined {
  let o = 2;
  while (o + 4 <= b.length) {
    if (b[o] !== 0xff) return undefined;
    const marker = b[o + 1]!;
    if (marker === 0xff) {
      o++; // fill byte
      continue;
    }
    // Standalone markers carry no length: TEM, RSTn, SOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      o += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // EOI or SOS before any frame header
    const len = u16be(b, o + 2);
    if (len < 2) return undefined;
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (o + 9 > b.length) return undefined;
      // SOF2, SOF6, SOF10 and SOF14 are the progressive processes.
      const progressive = (marker & 0x03) === 0x02;
      return valid({ format: 'jpeg', height: u16be(b, o + 5), width: u16be(b, o + 7), animated: false, progressive });
    }
    o += 2 + len;
  }
  return undefined;
}

/** IHDR is the first chunk; an acTL chunk before the first IDAT marks an APNG. */
function pngHeader(b: Uint8Array): ImageHeader | undefined {
  if (ascii(b, 12, 4) !== 'IHDR') return undefined;
  const h: ImageHeader = { format: 'png', width: u32be(b, 16), height: u32be(b, 20), animated: false };
  for (let o = 8; o + 8 <= b.length; ) {
    const type = ascii(b, o + 4, 4);
    if (type === 'acTL') h.animated = true;
    if (type === 'IDAT' || type === 'IEND') break;
    o += 12 + u32be(b, o);
  }
  return valid(h);
}

/** The first chunk is VP8 (lossy), VP8L (lossless) or VP8X (extended, with the canvas size and flags). */
function webpHeader(b: Uint8Array): ImageHeader | undefined {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') {
    // Frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height.
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return valid({ format: 'webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff, animated: false });
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) return undefined;
    const bits = (b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24)) >>> 0;
    return valid({ format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, animated: false });
  }
  if (chunk === 'VP8X') {
    const flags = b[20]!;
    return valid({ format: 'webp', width: u24le(b, 24) + 1, height: u24le(b, 27) + 1, animated: (flags & 0x02) !== 0 });
  }
  return undefined;
}

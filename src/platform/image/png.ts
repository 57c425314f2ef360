// PNG (ISO/IEC 15948) decoding and encoding on the Workers runtime's own zlib
// (DecompressionStream / CompressionStream), without WebAssembly. Decoding streams: inflated
// scanlines are unfiltered and handed to a row sink as they arrive, so a non-interlaced PNG
// never exists in memory as a whole bitmap, and inflating stops at the size IHDR promised.
import { ImageError } from './errors.js';

export type RowSink = (y: number, rgba: Uint8Array) => void;

interface Ihdr {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlaced: boolean;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ALLOWED_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
// Adam7 passes: x0, y0, dx, dy.
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

const u32 = (b: Uint8Array, o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const type4 = (b: Uint8Array, o: number) => String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);

/** Decodes a PNG (the default image: an APNG's first frame), calling `sink` for each row 0..height-1 in order. */
export async function decodePng(bytes: Uint8Array, sink: RowSink): Promise<{ width: number; height: number }> {
  let ihdr: Ihdr | undefined;
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  for (let o = 8; o + 12 <= bytes.length; ) {
    const len = u32(bytes, o);
    const type = type4(bytes, o + 4);
    const data = bytes.subarray(o + 8, o + 8 + len);
    if (data.length !== len) throw new ImageError('corrupt', 'Truncated PNG chunk');
    if (type === 'IHDR') {
      ihdr = { width: u32(data, 0), height: u32(data, 4), depth: data[8]!, colorType: data[9]!, interlaced: data[12] === 1 };
    } else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') trns = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    o += 12 + len;
  }
  if (!ihdr || idat.length === 0) throw new ImageError('corrupt', 'PNG without IHDR or IDAT');
  const { width, height, depth, colorType } = ihdr;
  if (!ALLOWED_DEPTHS[colorType]?.includes(depth)) throw new ImageError('corrupt', 'Invalid PNG colour type or bit depth');
  if (colorType === 3 && !palette) throw new ImageError('corrupt', 'Palette PNG without PLTE');
  const toRgba = rowConverter(ihdr, palette, trns);
  const bpp = Math.max(1, (CHANNELS[colorType]! * depth) >> 3);

  const passes = ihdr.interlaced
    ? ADAM7.map(([x0, y0, dx, dy]) => ({
        w: Math.ceil((width - x0) / dx),
        h: Math.ceil((height - y0) / dy),
        x0,
        y0,
        dx,
        dy,
      })).filter((p) => p.w > 0 && p.h > 0)
    : [{ w: width, h: height, x0: 0, y0: 0, dx: 1, dy: 1 }];
  // Interlaced images are assembled whole (the pixel limit was checked before decoding).
  const canvas = ihdr.interlaced ? new Uint8Array(width * height * 4) : undefined;
  const rgbaRow = new Uint8Array(width * 4);

  let pass = 0;
  let passRow = 0;
  let stride = Math.ceil((passes[0]!.w * CHANNELS[colorType]! * depth) / 8);
  // `cur` holds the filter byte and a scanline; `prev` the previous unfiltered scanline.
  let prevBuf = new Uint8Array(stride + 1);
  let cur = new Uint8Array(stride + 1);
  let fill = 0;
  const onScanline = () => {
    const p = passes[pass]!;
    unfilter(cur[0]!, cur.subarray(1), prevBuf.subarray(1), bpp);
    if (!canvas) {
      toRgba(cur.subarray(1), p.w, rgbaRow);
      sink(passRow, rgbaRow);
    } else {
      const tmp = new Uint8Array(p.w * 4);
      toRgba(cur.subarray(1), p.w, tmp);
      const y = p.y0 + passRow * p.dy;
      for (let i = 0; i < p.w; i++) canvas.set(tmp.subarray(i * 4, i * 4 + 4), (y * width + p.x0 + i * p.dx) * 4);
    }
    [prevBuf, cur] = [cur, prevBuf];
    passRow++;
    if (passRow === p.h) {
      pass++;
      passRow = 0;
      if (pass < passes.length) {
        stride = Math.ceil((passes[pass]!.w * CHANNELS[colorType]! * depth) / 8);
        prevBuf = new Uint8Array(stride + 1);
        cur = new Uint8Array(stride + 1);
      }
    }
  };

  const ds = new DecompressionStream('deflate');
  const writer = ds.writable.getWriter();
  const writing = (async () => {
    for (const chunk of idat) await writer.write(chunk);
    await writer.close();
  })().catch(() => {});
  const reader = ds.readable.getReader();
  try {
    while (pass < passes.length) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let i = 0; i < value.length && pass < passes.length; ) {
        const n = Math.min(cur.length - fill, value.length - i);
        cur.set(value.subarray(i, i + n), fill);
        fill += n;
        i += n;
        if (fill === cur.length) {
          onScanline();
          fill = 0;
        }
      }
    }
  } catch (e) {
    if (pass < passes.length) throw new ImageError('corrupt', `PNG data: ${(e as Error).message}`);
  } finally {
    // Stop inflating once every row has arrived: trailing data is never expanded.
    reader.cancel().catch(() => {});
    writer.abort().catch(() => {});
    await writing;
  }
  if (pass < passes.length) throw new ImageError('corrupt', 'PNG image data ends early');
  if (canvas) for (let y = 0; y < height; y++) sink(y, canvas.subarray(y * width * 4, (y + 1) * width * 4));
  return { width, height };
}

function unfilter(filter: number, line: Uint8Array, prev: Uint8Array, bpp: number): void {
  const n = line.length;
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < n; i++) line[i] = line[i]! + line[i - bpp]!;
      return;
    case 2:
      for (let i = 0; i < n; i++) line[i] = line[i]! + prev[i]!;
      return;
    case 3:
      for (let i = 0; i < n; i++) line[i] = line[i]! + (((i >= bpp ? line[i - bpp]! : 0) + prev[i]!) >> 1);
      return;
    case 4:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? line[i - bpp]! : 0;
        const b = prev[i]!;
        const c = i >= bpp ? prev[i - bpp]! : 0;
        line[i] = line[i]! + paeth(a, b, c);
      }
      return;
    default:
      throw new ImageError('corrupt', `Unknown PNG filter type ${filter}`);
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Converts one unfiltered scanline of `w` pixels to 8-bit RGBA. */
function rowConverter(h: Ihdr, palette?: Uint8Array, trns?: Uint8Array) {
  const { depth, colorType } = h;
  // Sample k of a row, scaled to 8 bits (16-bit samples keep their high byte).
  const sample = (line: Uint8Array, k: number): number => {
    if (depth === 8) return line[k]!;
    if (depth === 16) return line[k * 2]!;
    const perByte = 8 / depth;
    const v = (line[Math.floor(k / perByte)]! >> ((perByte - 1 - (k % perByte)) * depth)) & ((1 << depth) - 1);
    return colorType === 3 ? v : Math.round((v * 255) / ((1 << depth) - 1));
  };
  const raw = (line: Uint8Array, k: number): number =>
    depth === 16 ? (line[k * 2]! << 8) | line[k * 2 + 1]! : depth === 8 ? line[k]! : (line[Math.floor(k / (8 / depth))]! >> ((8 / depth - 1 - (k % (8 / depth))) * depth)) & ((1 << depth) - 1);
  const trnsGray = colorType === 0 && trns && trns.length >= 2 ? (trns[0]! << 8) | trns[1]! : -1;
  const trnsRgb =
    colorType === 2 && trns && trns.length >= 6 ? [(trns[0]! << 8) | trns[1]!, (trns[2]! << 8) | trns[3]!, (trns[4]! << 8) | trns[5]!] : undefined;
  return (line: Uint8Array, w: number, out: Uint8Array) => {
    for (let x = 0; x < w; x++) {
      const o = x * 4;
      switch (colorType) {
        case 0: {
          const v = sample(line, x);
          out[o] = out[o + 1] = out[o + 2] = v;
          out[o + 3] = raw(line, x) === trnsGray ? 0 : 255;
          break;
        }
        case 2:
          out[o] = sample(line, x * 3);
          out[o + 1] = sample(line, x * 3 + 1);
          out[o + 2] = sample(line, x * 3 + 2);
          out[o + 3] =
            trnsRgb && raw(line, x * 3) === trnsRgb[0] && raw(line, x * 3 + 1) === trnsRgb[1] && raw(line, x * 3 + 2) === trnsRgb[2]
              ? 0
              : 255;
          break;
        case 3: {
          const i = sample(line, x);
          out[o] = palette![i * 3] ?? 0;
          out[o + 1] = palette![i * 3 + 1] ?? 0;
          out[o + 2] = palette![i * 3 + 2] ?? 0;
          out[o + 3] = trns?.[i] ?? 255;
          break;
        }
        case 4:
          out[o] = out[o + 1] = out[o + 2] = sample(line, x * 2);
          out[o + 3] = sample(line, x * 2 + 1);
          break;
        default:
          out[o] = sample(line, x * 4);
          out[o + 1] = sample(line, x * 4 + 1);
          out[o + 2] = sample(line, x * 4 + 2);
          out[o + 3] = sample(line, x * 4 + 3);
      }
    }
  };
}

// --- Encoding -------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = CRC_TABLE[(c ^ p[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  const typeBytes = new TextEncoder().encode(type);
  out.set(typeBytes, 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32([typeBytes, data]));
  return out;
}

/** Encodes 8-bit RGBA pixels as a PNG (RGB when fully opaque), choosing a filter per row. */
export async function encodePng(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Promise<Uint8Array> {
  let opaque = true;
  for (let i = 3; i < rgba.length && opaque; i += 4) opaque = rgba[i] === 255;
  const ch = opaque ? 3 : 4;
  const stride = width * ch;
  const raw = new Uint8Array((stride + 1) * height);
  let prev = new Uint8Array(stride);
  const line = new Uint8Array(stride);
  const candidate = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) for (let c = 0; c < ch; c++) line[x * ch + c] = rgba[(y * width + x) * 4 + c]!;
    // The usual heuristic: the filter whose output has the smallest sum of absolute values.
    let bestScore = Infinity;
    for (let f = 0; f <= 4; f++) {
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= ch ? line[i - ch]! : 0;
        const b = prev[i]!;
        const c = i >= ch ? prev[i - ch]! : 0;
        const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const v = (line[i]! - pred) & 0xff;
        candidate[i] = v;
        score += v < 128 ? v : 256 - v;
      }
      if (score < bestScore) {
        bestScore = score;
        raw[y * (stride + 1)] = f;
        raw.set(candidate, y * (stride + 1) + 1);
      }
    }
    prev = line.slice();
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = opaque ? 2 : 6;
  const compressed = new Uint8Array(await new Response(new Blob([raw]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer());
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', compressed),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

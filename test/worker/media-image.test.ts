// The in-Worker image library (src/platform/image): header sniffing, thumbnail geometry,
// the PNG codec against libvips, and thumbnails of every supported format.
import { describe, expect, it } from 'vitest';
import { decodeJpeg } from '../../src/platform/image/codecs.js';
import { decodeCost, makeThumbnail, planThumbnail, readImageHeader } from '../../src/platform/image/index.js';
import { decodePng, encodePng } from '../../src/platform/image/png.js';
import { b64, gifFixture, jpegFixture, pattern, pngFixture, VIPS_PNGS, webpFixture } from './media-fixtures.js';

const BIG = 50_000_000;

async function decodePngWhole(bytes: Uint8Array) {
  const rows: Uint8Array[] = [];
  const { width, height } = await decodePng(bytes, (y, row) => (rows[y] = row.slice()));
  const out = new Uint8Array(width * height * 4);
  rows.forEach((r, y) => out.set(r, y * width * 4));
  return { width, height, data: out };
}

describe('image headers', () => {
  it('reads format and size from the header of each format', async () => {
    expect(readImageHeader(await pngFixture(33, 21))).toMatchObject({ format: 'png', width: 33, height: 21 });
    expect(readImageHeader(await jpegFixture(40, 30))).toMatchObject({ format: 'jpeg', width: 40, height: 30 });
    expect(readImageHeader(gifFixture(17, 9))).toMatchObject({ format: 'gif', width: 17, height: 9 });
    expect(readImageHeader(await webpFixture(50, 20))).toMatchObject({ format: 'webp', width: 50, height: 20 });
  });

  it('marks progressive JPEGs, which cost one and a half times their pixels to decode', async () => {
    const progressive = readImageHeader(await jpegFixture(40, 30))!;
    expect(progressive.progressive).toBe(true);
    expect(decodeCost(progressive)).toBe(1800);
    // SOI, then a baseline SOF0 for 4000x3000 with three components.
    const baseline = readImageHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0x0b, 0xb8, 0x0f, 0xa0, 3]))!;
    expect(baseline).toMatchObject({ width: 4000, height: 3000, progressive: false });
    expect(decodeCost(baseline)).toBe(12_000_000);
  });

  it('does not recognise SVG, HTML or truncated files', () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(readImageHeader(text('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toBeUndefined();
    expect(readImageHeader(text('<html><script>alert(1)</script></html>'))).toBeUndefined();
    expect(readImageHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00]))).toBeUndefined();
  });
});

describe('thumbnail geometry', () => {
  // [source w, h, requested w, h, method] -> expected plan (or 'original')
  const cases: Array<[number, number, number, number, 'crop' | 'scale', unknown]> = [
    // scale keeps the aspect ratio and fits inside the box
    [4000, 3000, 320, 240, 'scale', { width: 320, height: 240, sw: 4000, sh: 3000 }],
    [4000, 1000, 320, 240, 'scale', { width: 320, height: 80 }],
    [1000, 4000, 320, 240, 'scale', { width: 60, height: 240 }],
    // crop gives the requested size and aspect, from the centre
    [4000, 3000, 96, 96, 'crop', { width: 96, height: 96, sx: 500, sy: 0, sw: 3000, sh: 3000 }],
    [500, 100, 96, 96, 'crop', { width: 96, height: 96, sx: 200, sy: 0, sw: 100, sh: 100 }],
    // never upscale: a side smaller than requested is cut, not stretched
    [200, 50, 96, 96, 'crop', { width: 96, height: 50, sx: 52, sy: 0, sw: 96, sh: 50 }],
    // content smaller than requested: the original
    [64, 48, 96, 96, 'crop', 'original'],
    [64, 48, 320, 240, 'scale', 'original'],
  ];
  it.each(cases)('%ix%i to %ix%i by %s', (sw, sh, w, h, method, expected) => {
    const plan = planThumbnail(sw, sh, w, h, method);
    if (expected === 'original') expect(plan).toBe('original');
    else expect(plan).toMatchObject(expected as object);
  });
});

describe('PNG codec', () => {
  it.each(Object.keys(VIPS_PNGS))('decodes libvips %s PNG to the same pixels as libvips', async (name) => {
    const f = VIPS_PNGS[name]!;
    const decoded = await decodePngWhole(b64(f.png));
    expect([decoded.width, decoded.height]).toEqual([f.w, f.h]);
    expect(Buffer.from(decoded.data).toString('base64')).toBe(f.rgba);
  });

  it('round-trips RGBA through our encoder and decoder exactly', async () => {
    const px = pattern(31, 17, true);
    const decoded = await decodePngWhole(await encodePng(px, 31, 17));
    expect(decoded.data).toEqual(new Uint8Array(px.buffer));
  });

  it('refuses a PNG whose data ends early', async () => {
    const bytes = await pngFixture(64, 64);
    const idat = bytes.findIndex((_, i) => bytes[i] === 0x49 && bytes[i + 1] === 0x44 && bytes[i + 2] === 0x41 && bytes[i + 3] === 0x54);
    const truncated = bytes.slice();
    // Keep the chunk framing but zero most of the compressed data.
    truncated.fill(0, idat + 10, idat + 40);
    await expect(decodePngWhole(truncated)).rejects.toThrow();
  });
});

describe('makeThumbnail', () => {
  it('scales a JPEG to JPEG with the spec dimensions', async () => {
    const res = await makeThumbnail(await jpegFixture(800, 600), { width: 320, height: 240, method: 'scale', animated: false }, BIG);
    expect(res).toMatchObject({ ok: true, kind: 'thumbnail', contentType: 'image/jpeg', width: 320, height: 240 });
    const img = await decodeJpeg((res as { bytes: Uint8Array }).bytes);
    expect([img.width, img.height]).toEqual([320, 240]);
  });

  it('crops a PNG, keeping transparency, and the pixels stay close to the source', async () => {
    const res = await makeThumbnail(await pngFixture(400, 200, true), { width: 32, height: 32, method: 'crop', animated: false }, BIG);
    expect(res).toMatchObject({ ok: true, kind: 'thumbnail', contentType: 'image/png', width: 32, height: 32 });
    const out = await decodePngWhole((res as { bytes: Uint8Array }).bytes);
    expect([out.width, out.height]).toEqual([32, 32]);
    // The centre square of a left-to-right red gradient: red runs from ~25% to ~75%.
    expect(out.data[0]).toBeGreaterThan(50);
    expect(out.data[0]).toBeLessThan(80);
    expect(out.data[(32 - 1) * 4]).toBeGreaterThan(175);
  });

  it('thumbnails the first frame of a GIF and a WebP as PNG', async () => {
    const gif = await makeThumbnail(gifFixture(200, 100, 3), { width: 50, height: 50, method: 'scale', animated: false }, BIG);
    expect(gif).toMatchObject({ ok: true, kind: 'thumbnail', contentType: 'image/png', width: 50, height: 25 });
    const webp = await makeThumbnail(await webpFixture(300, 150), { width: 96, height: 96, method: 'crop', animated: false }, BIG);
    expect(webp).toMatchObject({ ok: true, kind: 'thumbnail', contentType: 'image/png', width: 96, height: 96 });
  });

  it('returns the original for small images, but a still image when an animated one was not asked for', async () => {
    const small = await makeThumbnail(await pngFixture(20, 20), { width: 96, height: 96, method: 'crop', animated: false }, BIG);
    expect(small).toEqual({ ok: true, kind: 'original', contentType: 'image/png' });
    const anim = gifFixture(20, 20, 2);
    expect(await makeThumbnail(anim, { width: 96, height: 96, method: 'crop', animated: true }, BIG)).toEqual({
      ok: true,
      kind: 'original',
      contentType: 'image/gif',
    });
    expect(await makeThumbnail(anim, { width: 96, height: 96, method: 'crop', animated: false }, BIG)).toMatchObject({
      ok: true,
      kind: 'thumbnail',
      contentType: 'image/png',
      width: 20,
      height: 20,
    });
  });

  it('refuses an image over the pixel limit from its header, without decoding it', async () => {
    // A PNG header claiming 60000x60000 followed by no usable data: decoding would fail, so
    // "too_large" proves the refusal came first.
    const bomb = (await pngFixture(8, 8)).slice();
    new DataView(bomb.buffer).setUint32(16, 60000);
    new DataView(bomb.buffer).setUint32(20, 60000);
    expect(await makeThumbnail(bomb, { width: 32, height: 32, method: 'crop', animated: false }, 12_000_000)).toMatchObject({
      ok: false,
      reason: 'too_large',
    });
  });

  it('answers corrupt and unsupported input with an outcome, not an exception', async () => {
    const req = { width: 32, height: 32, method: 'crop', animated: false } as const;
    const jpeg = await jpegFixture(300, 200);
    // Truncated: libjpeg pads the missing part (a grey band), as browsers do.
    await expect(makeThumbnail(jpeg.slice(0, 600), req, BIG)).resolves.toMatchObject({ ok: true });
    // A frame header followed by garbage instead of scan data: libjpeg gives up.
    const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc2);
    const garbage = new Uint8Array(sof + 400).fill(0x55);
    garbage.set(jpeg.subarray(0, sof + 19));
    expect(await makeThumbnail(garbage, req, BIG)).toMatchObject({ ok: false, reason: 'corrupt' });
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="900" height="900"/>');
    expect(await makeThumbnail(svg, req, BIG)).toMatchObject({ ok: false, reason: 'unsupported' });
  });
});

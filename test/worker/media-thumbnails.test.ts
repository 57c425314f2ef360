// Thumbnails over HTTP (dimensions, caching, errors) and the federation media responses
// (multipart/mixed), which are built by the service but not mounted until X-Matrix exists.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { configFor } from '../../src/config.js';
import { decodeJpeg } from '../../src/platform/image/codecs.js';
import { decodePng } from '../../src/platform/image/png.js';
import { federationDownload, federationThumbnail } from '../../src/services/media/federation.js';
import type { MediaEnv } from '../../src/services/media/upload.js';
import { gifFixture, jpegFixture, pngFixture } from './media-fixtures.js';
import { api, BASE, registerUser, SERVER_NAME, type TestUser } from './helpers.js';

let alice: TestUser;
beforeAll(async () => {
  alice = await registerUser();
});

async function uploadOk(body: BodyInit, contentType: string): Promise<string> {
  const res = await SELF.fetch(`${BASE}/_matrix/media/v3/upload`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${alice.accessToken}`, 'Content-Type': contentType },
    body,
  });
  expect(res.status).toBe(200);
  return (await res.json<{ content_uri: string }>()).content_uri.split('/').pop()!;
}

const thumbnail = (mediaId: string, query: string) =>
  SELF.fetch(`${BASE}/_matrix/client/v1/media/thumbnail/${SERVER_NAME}/${mediaId}?${query}`, {
    headers: { Authorization: `Bearer ${alice.accessToken}` },
  });

async function pngSize(bytes: Uint8Array): Promise<[number, number]> {
  const { width, height } = await decodePng(bytes, () => {});
  return [width, height];
}

describe('thumbnails', () => {
  it('scales a JPEG to 320x240 and crops it to 96x96', async () => {
    const mediaId = await uploadOk(await jpegFixture(1600, 1200), 'image/jpeg');
    const scaled = await thumbnail(mediaId, 'width=320&height=240&method=scale');
    expect(scaled.status).toBe(200);
    expect(scaled.headers.get('Content-Type')).toBe('image/jpeg');
    expect(scaled.headers.get('Content-Disposition')).toBe('inline; filename="thumbnail.jpg"');
    expect(scaled.headers.get('Content-Security-Policy')).toMatch(/^sandbox;/);
    const s = await decodeJpeg(new Uint8Array(await scaled.arrayBuffer()));
    expect([s.width, s.height]).toEqual([320, 240]);

    const cropped = await thumbnail(mediaId, 'width=96&height=96&method=crop');
    const c = await decodeJpeg(new Uint8Array(await cropped.arrayBuffer()));
    expect([c.width, c.height]).toEqual([96, 96]);
  });

  it('keeps the aspect ratio for scale, and PNG stays PNG', async () => {
    const mediaId = await uploadOk(await pngFixture(1000, 250, true), 'image/png');
    const res = await thumbnail(mediaId, 'width=320&height=240&method=scale');
    expect(res.headers.get('Content-Type')).toBe('image/png');
    expect(await pngSize(new Uint8Array(await res.arrayBuffer()))).toEqual([320, 80]);
    const crop = await thumbnail(mediaId, 'width=32&height=32&method=crop');
    expect(await pngSize(new Uint8Array(await crop.arrayBuffer()))).toEqual([32, 32]);
  });

  it('caches each size in R2 and serves the cached copy', async () => {
    const mediaId = await uploadOk(await pngFixture(640, 480), 'image/png');
    const first = new Uint8Array(await (await thumbnail(mediaId, 'width=64&height=48')).arrayBuffer());
    const { blob_key } = (await env.DB.prepare('SELECT blob_key FROM media WHERE media_id = ?1').bind(mediaId).first<{ blob_key: string }>())!;
    let cached: R2Object | null = null;
    for (let i = 0; i < 50 && !cached; i++) {
      cached = await env.MEDIA.head(`thumb/${blob_key}/64x48-scale`);
      if (!cached) await new Promise((r) => setTimeout(r, 20));
    }
    expect(cached?.httpMetadata?.contentType).toBe('image/png');
    // Replace the cached object: the next answer must come from it.
    await env.MEDIA.put(`thumb/${blob_key}/64x48-scale`, 'cached!', { httpMetadata: { contentType: 'image/png' } });
    expect(await (await thumbnail(mediaId, 'width=64&height=48')).text()).toBe('cached!');
    expect(first.length).toBeGreaterThan(0);
  });

  it('returns the original when it is smaller than requested, and a still image of a small animated GIF', async () => {
    const png = await pngFixture(50, 40);
    const mediaId = await uploadOk(png, 'image/png');
    const res = await thumbnail(mediaId, 'width=96&height=96&method=crop');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(png);

    const gif = gifFixture(40, 30, 3);
    const gifId = await uploadOk(gif, 'image/gif');
    const animated = await thumbnail(gifId, 'width=96&height=96&animated=true');
    expect(animated.headers.get('Content-Type')).toBe('image/gif');
    expect(new Uint8Array(await animated.arrayBuffer())).toEqual(gif);
    const still = await thumbnail(gifId, 'width=96&height=96');
    expect(still.headers.get('Content-Type')).toBe('image/png');
    expect(await pngSize(new Uint8Array(await still.arrayBuffer()))).toEqual([40, 30]);
  });

  it('refuses an image over the pixel limit with 413 M_TOO_LARGE, from its header', async () => {
    // A 16x16 PNG whose header claims 8000x8000 (64 megapixels).
    const bomb = (await pngFixture(16, 16)).slice();
    new DataView(bomb.buffer).setUint32(16, 8000);
    new DataView(bomb.buffer).setUint32(20, 8000);
    const mediaId = await uploadOk(bomb, 'image/png');
    const res = await api('GET', `/_matrix/client/v1/media/thumbnail/${SERVER_NAME}/${mediaId}?width=32&height=32`, { token: alice.accessToken });
    expect(res.status).toBe(413);
    expect(res.body.errcode).toBe('M_TOO_LARGE');
  });

  it('answers 400 for content that cannot be thumbnailed and for bad parameters', async () => {
    const text = await uploadOk('just text', 'text/plain');
    const res = await api('GET', `/_matrix/client/v1/media/thumbnail/${SERVER_NAME}/${text}?width=32&height=32`, { token: alice.accessToken });
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_UNKNOWN');
    const broken = await uploadOk(new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 1, 0, 1, 0, 3, 1, 0x22, 0, 0xff, 0xd9]), 'image/jpeg');
    const corrupt = await api('GET', `/_matrix/client/v1/media/thumbnail/${SERVER_NAME}/${broken}?width=32&height=32`, { token: alice.accessToken });
    expect(corrupt.status).toBe(400);

    const png = await uploadOk(await pngFixture(100, 100), 'image/png');
    const path = `/_matrix/client/v1/media/thumbnail/${SERVER_NAME}/${png}`;
    expect((await api('GET', `${path}?width=32`, { token: alice.accessToken })).body.errcode).toBe('M_MISSING_PARAM');
    for (const q of ['width=-1&height=32', 'width=abc&height=32', 'width=32&height=32&method=stretch', 'width=1.5&height=2']) {
      const r = await api('GET', `${path}?${q}`, { token: alice.accessToken });
      expect(r.status).toBe(400);
      expect(r.body.errcode).toBe('M_INVALID_PARAM');
    }
  });
});

describe('federation media responses (service level; routes wait for X-Matrix)', () => {
  const mediaEnv = (): MediaEnv => ({ db: env.DB, bucket: env.MEDIA, config: configFor(env), waitUntil: () => {} });

  /** Splits a multipart/mixed body into parts of headers and bytes. */
  async function parseMultipart(res: Response) {
    const boundary = /boundary=([^;]+)/.exec(res.headers.get('Content-Type')!)![1]!;
    const body = new Uint8Array(await res.arrayBuffer());
    expect(Number(res.headers.get('Content-Length'))).toBe(body.length);
    // Byte-level: find each delimiter ("--boundary"), then split headers from content.
    const enc = new TextEncoder();
    const find = (needle: Uint8Array, from: number) => {
      for (let i = from; i + needle.length <= body.length; i++) {
        if (needle.every((b, k) => body[i + k] === b)) return i;
      }
      return -1;
    };
    const delimiter = enc.encode(`--${boundary}`);
    const parts: Array<{ headers: Record<string, string>; bytes: Uint8Array }> = [];
    let at = find(delimiter, 0);
    expect(at).toBe(0);
    for (;;) {
      const start = at + delimiter.length;
      if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // closing "--"
      const next = find(enc.encode(`\r\n--${boundary}`), start);
      const section = body.subarray(start + 2, next);
      const split = section.findIndex((_, i) => section[i] === 13 && section[i + 1] === 10 && section[i + 2] === 13 && section[i + 3] === 10);
      const head = new TextDecoder().decode(section.subarray(0, split));
      const headers = Object.fromEntries(head.split('\r\n').map((l) => [l.split(': ')[0]!.toLowerCase(), l.slice(l.indexOf(': ') + 2)]));
      parts.push({ headers, bytes: section.slice(split + 4) });
      at = next + 2;
    }
    expect(new TextDecoder().decode(body.subarray(at + delimiter.length))).toBe('--\r\n');
    return parts;
  }

  it('builds the two-part multipart/mixed download: metadata {} then the bytes', async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(3000));
    const mediaId = await uploadOk(bytes, 'application/pdf');
    const out = await federationDownload(mediaEnv(), mediaId, 0);
    expect(out.ok).toBe(true);
    const res = (out as { response: Response }).response;
    expect(res.headers.get('Content-Type')).toMatch(/^multipart\/mixed; boundary=/);
    const [meta, content] = await parseMultipart(res);
    expect(meta!.headers['content-type']).toBe('application/json');
    expect(new TextDecoder().decode(meta!.bytes)).toBe('{}');
    expect(content!.headers['content-type']).toBe('application/pdf');
    expect(content!.headers['content-disposition']).toBe('attachment');
    expect(content!.bytes).toEqual(bytes);
  });

  it('builds the thumbnail response, and reports unknown media', async () => {
    const mediaId = await uploadOk(await pngFixture(300, 300), 'image/png');
    const out = await federationThumbnail(mediaEnv(), mediaId, { width: 64, height: 64, method: 'crop', animated: false }, 0);
    const [, content] = await parseMultipart((out as { response: Response }).response);
    expect(content!.headers['content-type']).toBe('image/png');
    expect(content!.headers['content-disposition']).toBe('inline; filename="thumbnail.png"');
    expect(await pngSize(content!.bytes)).toEqual([64, 64]);
    expect(await federationDownload(mediaEnv(), 'noSuchMedia', 0)).toMatchObject({ ok: false, reason: 'not_found' });
  });

  it('is not reachable over HTTP before X-Matrix authentication exists', async () => {
    const mediaId = await uploadOk('secret', 'text/plain');
    const res = await SELF.fetch(`${BASE}/_matrix/federation/v1/media/download/${mediaId}`);
    expect(res.status).toBe(404);
  });
});

// The content repository over HTTP: uploads (plain, chunked, asynchronous), byte-exact
// downloads, the safety headers, size and rate limits, and the unauthenticated-media freeze.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, BASE, registerUser, SERVER_NAME, type TestUser } from './helpers.js';

const MiB = 1024 * 1024;

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
  return out;
}

async function sha256(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  return Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
}

/** A body of unknown length (no Content-Length), produced lazily in chunks. */
function chunkedBody(total: number, chunk = 256 * 1024, fill?: Uint8Array): ReadableStream<Uint8Array> {
  let sent = 0;
  const block = fill ?? randomBytes(chunk);
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const n = Math.min(block.length, total - sent);
      controller.enqueue(block.slice(0, n));
      sent += n;
    },
  });
}

async function upload(
  user: TestUser,
  body: BodyInit,
  opts: { contentType?: string; filename?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const qs = opts.filename !== undefined ? `?filename=${encodeURIComponent(opts.filename)}` : '';
  return SELF.fetch(`${BASE}/_matrix/media/v3/upload${qs}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${user.accessToken}`, 'Content-Type': opts.contentType ?? 'application/octet-stream', ...opts.headers },
    body,
  });
}

async function uploadOk(user: TestUser, body: BodyInit, opts: Parameters<typeof upload>[2] = {}): Promise<string> {
  const res = await upload(user, body, opts);
  expect(res.status).toBe(200);
  const { content_uri } = await res.json<{ content_uri: string }>();
  expect(content_uri).toMatch(new RegExp(`^mxc://${SERVER_NAME}/[A-Za-z0-9_-]{20,}$`));
  return content_uri.slice(`mxc://${SERVER_NAME}/`.length);
}

const download = (user: TestUser | undefined, mediaId: string, suffix = '', init: RequestInit = {}) =>
  SELF.fetch(`${BASE}/_matrix/client/v1/media/download/${SERVER_NAME}/${mediaId}${suffix}`, {
    ...init,
    headers: { ...(user ? { Authorization: `Bearer ${user.accessToken}` } : {}), ...(init.headers as Record<string, string>) },
  });

let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  alice = await registerUser();
  bob = await registerUser();
});

describe('upload and download', () => {
  it('round-trips 10 MB of binary content byte for byte', async () => {
    const bytes = randomBytes(10 * MiB);
    const mediaId = await uploadOk(alice, bytes, { contentType: 'application/x-binary' });
    const res = await download(alice, mediaId);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/x-binary');
    expect(res.headers.get('Content-Length')).toBe(String(bytes.length));
    const got = new Uint8Array(await res.arrayBuffer());
    expect(got.length).toBe(bytes.length);
    expect(await sha256(got)).toBe(await sha256(bytes));
    expect(Buffer.compare(Buffer.from(got), Buffer.from(bytes))).toBe(0);
  });

  it('streams a body without Content-Length to R2 in parts (chunked upload of 20 MB)', async () => {
    const block = randomBytes(300_000);
    const total = 20 * MiB + 12345;
    const mediaId = await uploadOk(alice, chunkedBody(total, block.length, block));
    const got = new Uint8Array(await (await download(alice, mediaId)).arrayBuffer());
    expect(got.length).toBe(total);
    const expected = new Uint8Array(total);
    for (let o = 0; o < total; o += block.length) expected.set(block.subarray(0, Math.min(block.length, total - o)), o);
    expect(await sha256(got)).toBe(await sha256(expected));
  });

  it('serves a byte range with 206 and Content-Range', async () => {
    const bytes = randomBytes(5000);
    const mediaId = await uploadOk(alice, bytes, { contentType: 'video/mp4' });
    const res = await download(alice, mediaId, '', { headers: { Range: 'bytes=100-199' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('Content-Range')).toBe('bytes 100-199/5000');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes.slice(100, 200));
    const past = await download(alice, mediaId, '', { headers: { Range: 'bytes=6000-' } });
    expect(past.status).toBe(416);
  });

  it('accepts an empty upload', async () => {
    const mediaId = await uploadOk(alice, new Uint8Array(0), { contentType: 'text/plain' });
    const res = await download(alice, mediaId);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('stores identical content once', async () => {
    const bytes = randomBytes(4096);
    const a = await uploadOk(alice, bytes);
    const b = await uploadOk(bob, bytes);
    expect(a).not.toBe(b);
    const rows = await env.DB.prepare('SELECT DISTINCT blob_key FROM media WHERE media_id IN (?1, ?2)').bind(a, b).all<{ blob_key: string }>();
    expect(rows.results).toHaveLength(1);
    expect(await (await download(bob, a)).arrayBuffer()).toEqual(bytes.buffer);
  });

  it('requires an access token for v1 downloads and the config', async () => {
    const mediaId = await uploadOk(alice, randomBytes(10));
    expect((await download(undefined, mediaId)).status).toBe(401);
    const config = await api('GET', '/_matrix/client/v1/media/config', { token: alice.accessToken });
    expect(config.body).toEqual({ 'm.upload.size': 50 * MiB });
    expect((await api('GET', '/_matrix/client/v1/media/config')).status).toBe(401);
  });

  it('answers 404 M_NOT_FOUND for unknown, malformed and (until federation) remote media', async () => {
    for (const path of [`${SERVER_NAME}/doesNotExist123`, `${SERVER_NAME}/bad.id`, 'other.example/abcdef']) {
      const res = await api('GET', `/_matrix/client/v1/media/download/${path}`, { token: alice.accessToken });
      expect(res.status).toBe(404);
      expect(res.body.errcode).toBe('M_NOT_FOUND');
    }
  });

  it('answers URL previews with M_UNRECOGNIZED for now', async () => {
    const res = await api('GET', '/_matrix/client/v1/media/preview_url?url=https://matrix.org', { token: alice.accessToken });
    expect(res.body.errcode).toBe('M_UNRECOGNIZED');
  });
});

describe('limits', () => {
  it('refuses a declared oversize upload with 413 M_TOO_LARGE before reading it', async () => {
    let pulled = 0;
    const body = new ReadableStream({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(65536));
      },
    });
    const res = await upload(alice, body, { headers: { 'Content-Length': String(60 * MiB) } });
    expect(res.status).toBe(413);
    expect((await res.json<{ errcode: string }>()).errcode).toBe('M_TOO_LARGE');
    expect(pulled).toBeLessThan(20);
  });

  it('stops a chunked upload as soon as it passes the limit', async () => {
    const res = await upload(bob, chunkedBody(51 * MiB, 1 * MiB));
    expect(res.status).toBe(413);
    expect((await res.json<{ errcode: string }>()).errcode).toBe('M_TOO_LARGE');
    const { n } = (await env.DB.prepare('SELECT COUNT(*) AS n FROM media WHERE user_id = ?1 AND size > ?2').bind(bob.userId, 40 * MiB).first<{ n: number }>())!;
    expect(n).toBe(0);
  });

  it('rate-limits uploads per user with 429 M_LIMIT_EXCEEDED and retry_after_ms', async () => {
    const carol = await registerUser();
    let limited: Response | undefined;
    for (let i = 0; i < 40 && !limited; i++) {
      const res = await upload(carol, new Uint8Array([i]));
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(200);
    }
    expect(limited).toBeDefined();
    const body = await limited!.json<{ errcode: string; retry_after_ms: number }>();
    expect(body.errcode).toBe('M_LIMIT_EXCEEDED');
    expect(body.retry_after_ms).toBeGreaterThan(0);
    // Another user is not affected.
    expect((await upload(alice, new Uint8Array([1]))).status).toBe(200);
  });
});

describe('download headers', () => {
  it('serves HTML as an attachment, sandboxed, never sniffed', async () => {
    const mediaId = await uploadOk(alice, '<html><script>alert(document.cookie)</script></html>', {
      contentType: 'text/html',
      filename: 'evil.html',
    });
    const res = await download(alice, mediaId);
    expect(res.headers.get('Content-Type')).toBe('text/html');
    expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="evil.html"');
    expect(res.headers.get('Content-Security-Policy')).toMatch(/^sandbox; default-src 'none'; script-src 'none';/);
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Cross-Origin-Resource-Policy')).toBe('cross-origin');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });

  it('serves SVG as an attachment and images, text and video inline', async () => {
    const svg = await uploadOk(alice, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', {
      contentType: 'image/svg+xml',
    });
    expect((await download(alice, svg)).headers.get('Content-Disposition')).toBe('attachment');
    for (const type of ['image/png', 'text/plain; charset=utf-8', 'video/mp4']) {
      const id = await uploadOk(alice, 'x', { contentType: type, filename: 'a.bin' });
      const res = await download(alice, id);
      expect(res.headers.get('Content-Type')).toBe(type);
      expect(res.headers.get('Content-Disposition')).toBe('inline; filename="a.bin"');
    }
  });

  it('encodes file names safely (RFC 6266 / 5987), and the path name overrides the upload name', async () => {
    const name = 'Résumé "final"\r\nX-Evil: 1.pdf';
    const mediaId = await uploadOk(alice, 'pdf', { contentType: 'application/pdf', filename: name });
    const disposition = (await download(alice, mediaId)).headers.get('Content-Disposition')!;
    expect(disposition).toBe(
      `attachment; filename="R_sum_ \\"final\\"X-Evil: 1.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22X-Evil%3A%201.pdf`,
    );
    const renamed = await download(alice, mediaId, '/other%20name.pdf');
    expect(renamed.headers.get('Content-Disposition')).toBe('attachment; filename="other name.pdf"');
    const noName = await uploadOk(alice, 'x', { contentType: 'image/png' });
    expect((await download(alice, noName)).headers.get('Content-Disposition')).toBe('inline');
  });

  it('stores a missing or malformed Content-Type as application/octet-stream', async () => {
    const res = await SELF.fetch(`${BASE}/_matrix/media/v3/upload`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.accessToken}`, 'Content-Type': 'not a type' },
      body: 'data',
    });
    const mediaId = (await res.json<{ content_uri: string }>()).content_uri.split('/').pop()!;
    expect((await download(alice, mediaId)).headers.get('Content-Type')).toBe('application/octet-stream');
  });
});

describe('asynchronous upload (create, then PUT)', () => {
  const put = (user: TestUser, mediaId: string, body: BodyInit) =>
    SELF.fetch(`${BASE}/_matrix/media/v3/upload/${SERVER_NAME}/${mediaId}?filename=later.txt`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${user.accessToken}`, 'Content-Type': 'text/plain' },
      body,
    });

  it('creates an ID, waits for the upload, serves it, and refuses to overwrite it', async () => {
    const created = await api('POST', '/_matrix/media/v1/create', { token: alice.accessToken });
    expect(created.status).toBe(200);
    const mediaId = created.body.content_uri.split('/').pop();
    expect(created.body.unused_expires_at).toBeGreaterThan(Date.now() + 23 * 3600 * 1000);

    const early = await api('GET', `/_matrix/client/v1/media/download/${SERVER_NAME}/${mediaId}?timeout_ms=0`, { token: alice.accessToken });
    expect(early.status).toBe(504);
    expect(early.body.errcode).toBe('M_NOT_YET_UPLOADED');

    const forbidden = await put(bob, mediaId, 'not yours');
    expect(forbidden.status).toBe(403);

    // A download that waits (timeout_ms) is answered when the upload lands.
    const waiting = download(alice, `${mediaId}?timeout_ms=15000`);
    await new Promise((r) => setTimeout(r, 300));
    const uploaded = await put(alice, mediaId, 'hello later');
    expect(uploaded.status).toBe(200);
    expect(await uploaded.json()).toEqual({});
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello later');
    expect(res.headers.get('Content-Disposition')).toBe('inline; filename="later.txt"');

    const again = await put(alice, mediaId, 'overwrite');
    expect(again.status).toBe(409);
    expect((await again.json<{ errcode: string }>()).errcode).toBe('M_CANNOT_OVERWRITE_MEDIA');
  });

  it('answers 404 M_NOT_FOUND for IDs never created or expired', async () => {
    const unknown = await put(alice, 'neverCreated12345', 'x');
    expect(unknown.status).toBe(404);
    expect((await unknown.json<{ errcode: string }>()).errcode).toBe('M_NOT_FOUND');

    const created = await api('POST', '/_matrix/media/v1/create', { token: alice.accessToken });
    const mediaId = created.body.content_uri.split('/').pop();
    await env.DB.prepare('UPDATE media SET unused_expires_ts = ?2 WHERE media_id = ?1').bind(mediaId, Date.now() - 1).run();
    expect((await put(alice, mediaId, 'late')).status).toBe(404);
    expect((await download(alice, mediaId)).status).toBe(404);
  });
});

describe('the unauthenticated-media freeze', () => {
  it('refuses new media on the deprecated v3 endpoints but serves media from before the freeze', async () => {
    const mediaId = await uploadOk(alice, 'fresh', { contentType: 'text/plain' });
    const v3 = await api('GET', `/_matrix/media/v3/download/${SERVER_NAME}/${mediaId}`);
    expect(v3.status).toBe(404);
    expect(v3.body.errcode).toBe('M_NOT_FOUND');
    expect((await api('GET', `/_matrix/media/v3/thumbnail/${SERVER_NAME}/${mediaId}?width=32&height=32`)).status).toBe(404);
    // The same item, had it been uploaded before the freeze date (2024-10-07):
    await env.DB.prepare('UPDATE media SET created_ts = ?2 WHERE media_id = ?1').bind(mediaId, Date.parse('2024-01-01')).run();
    const old = await SELF.fetch(`${BASE}/_matrix/media/v3/download/${SERVER_NAME}/${mediaId}/old.txt`);
    expect(old.status).toBe(200);
    expect(await old.text()).toBe('fresh');
    expect(old.headers.get('Content-Disposition')).toBe('inline; filename="old.txt"');
  });
});

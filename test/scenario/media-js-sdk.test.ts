// matrix-js-sdk as a real client: an avatar uploaded, set and downloaded through the
// authenticated media endpoints (v1.11+).
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'matrix-js-sdk';
import { startServer, type RunningServer } from '../support/server.js';

/** A small valid RGB PNG, made here so the test depends on no fixture file. */
function png(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set([x * 4, y * 4, 128], y * (width * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('media with matrix-js-sdk', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop({ wipe: true });
  });

  it('uploads an avatar with uploadContent, sets it as avatar_url and downloads it authenticated', async () => {
    const anon = createClient({ baseUrl: server.baseUrl });
    const reg = await anon.registerRequest({ username: 'painter', password: 'pw pw pw', auth: { type: 'm.login.dummy' } });
    const client = createClient({ baseUrl: server.baseUrl, userId: reg.user_id, accessToken: reg.access_token, deviceId: reg.device_id });

    const image = png(48, 32);
    const { content_uri } = await client.uploadContent(new Blob([new Uint8Array(image)]), { name: 'avatar.png', type: 'image/png' });
    expect(content_uri).toMatch(new RegExp(`^mxc://${server.serverName.replace('.', '\\.')}/[A-Za-z0-9_-]+$`));
    await client.setAvatarUrl(content_uri);
    const profile = await client.getProfileInfo(reg.user_id);
    expect(profile.avatar_url).toBe(content_uri);

    const url = client.mxcUrlToHttp(content_uri, undefined, undefined, undefined, false, true, true)!;
    expect(url).toContain('/_matrix/client/v1/media/download/');
    const unauth = await fetch(url);
    expect(unauth.status).toBe(401);
    const res = await fetch(url, { headers: { Authorization: `Bearer ${reg.access_token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(image)).toBe(true);

    const thumbUrl = client.mxcUrlToHttp(content_uri, 16, 16, 'scale', false, true, true)!;
    const thumb = await fetch(thumbUrl, { headers: { Authorization: `Bearer ${reg.access_token}` } });
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toMatch(/^image\//);
  });
});

// Media administration (Synapse admin API shapes): quarantine and deletion by ID and by user,
// listing a user's media, and the R2 cleanup that follows deletion.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { pngFixture } from './media-fixtures.js';
import { api, BASE, registerAdmin, registerUser, SERVER_NAME, type TestUser } from './helpers.js';

let admin: TestUser;
let alice: TestUser;
beforeAll(async () => {
  admin = await registerAdmin();
  alice = await registerUser();
});

async function upload(user: TestUser, body: BodyInit, contentType = 'application/octet-stream'): Promise<string> {
  const res = await SELF.fetch(`${BASE}/_matrix/media/v3/upload?filename=f.bin`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${user.accessToken}`, 'Content-Type': contentType },
    body,
  });
  expect(res.status).toBe(200);
  return (await res.json<{ content_uri: string }>()).content_uri.split('/').pop()!;
}

const download = (user: TestUser, mediaId: string) => api('GET', `/_matrix/client/v1/media/download/${SERVER_NAME}/${mediaId}`, { token: user.accessToken });
const adminApi = (method: string, path: string) => api(method, `/_synapse/admin/v1${path}`, { token: admin.accessToken });
const blobKeyOf = async (mediaId: string) =>
  (await env.DB.prepare('SELECT blob_key FROM media WHERE media_id = ?1').bind(mediaId).first<{ blob_key: string }>())?.blob_key;

describe('media admin', () => {
  it('is for admins only', async () => {
    const mediaId = await upload(alice, 'x');
    const res = await api('POST', `/_synapse/admin/v1/media/quarantine/${SERVER_NAME}/${mediaId}`, { token: alice.accessToken });
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
    expect((await api('GET', `/_synapse/admin/v1/users/${alice.userId}/media`)).status).toBe(401);
  });

  it('quarantines an item (and identical copies) so downloads and thumbnails answer 404, and releases it', async () => {
    const png = await pngFixture(200, 200);
    const mediaId = await upload(alice, png, 'image/png');
    const bob = await registerUser();
    const copy = await upload(bob, png, 'image/png');
    expect((await adminApi('POST', `/media/quarantine/${SERVER_NAME}/${mediaId}`)).body).toEqual({});

    for (const id of [mediaId, copy]) {
      const res = await download(alice, id);
      expect(res.status).toBe(404);
      expect(res.body.errcode).toBe('M_NOT_FOUND');
    }
    const thumb = await api('GET', `/_matrix/client/v1/media/thumbnail/${SERVER_NAME}/${mediaId}?width=32&height=32`, { token: alice.accessToken });
    expect(thumb.status).toBe(404);
    // Uploading the same content again does not escape the quarantine.
    expect((await download(alice, await upload(alice, png, 'image/png'))).status).toBe(404);

    const info = await adminApi('GET', `/media/${SERVER_NAME}/${mediaId}`);
    expect(info.body.media_info).toMatchObject({ media_id: mediaId, quarantined_by: admin.userId, media_type: 'image/png' });

    expect((await adminApi('POST', `/media/unquarantine/${SERVER_NAME}/${mediaId}`)).body).toEqual({});
    expect((await download(alice, mediaId)).status).toBe(200);
    expect((await download(alice, copy)).status).toBe(200);
  });

  it("quarantines all of a user's media", async () => {
    const dave = await registerUser();
    const ids = [await upload(dave, 'one'), await upload(dave, 'two')];
    const res = await adminApi('POST', `/user/${encodeURIComponent(dave.userId)}/media/quarantine`);
    expect(res.body).toEqual({ num_quarantined: 2 });
    for (const id of ids) expect((await download(alice, id)).status).toBe(404);
  });

  it("lists a user's media with Synapse's fields and pagination", async () => {
    const erin = await registerUser();
    for (const s of ['a', 'bb', 'ccc']) await upload(erin, s, 'text/plain');
    const page = await adminApi('GET', `/users/${encodeURIComponent(erin.userId)}/media?limit=2&order_by=media_length&dir=b`);
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(3);
    expect(page.body.next_token).toBe(2);
    expect(page.body.media.map((m: { media_length: number }) => m.media_length)).toEqual([3, 2]);
    expect(page.body.media[0]).toMatchObject({ media_type: 'text/plain', upload_name: 'f.bin', quarantined_by: null, safe_from_quarantine: false });
    const rest = await adminApi('GET', `/users/${encodeURIComponent(erin.userId)}/media?from=2&limit=2&order_by=media_length&dir=b`);
    expect(rest.body.media).toHaveLength(1);
    expect(rest.body.next_token).toBeUndefined();
    expect((await adminApi('GET', `/users/${encodeURIComponent(erin.userId)}/media?order_by=nonsense`)).body.errcode).toBe('M_INVALID_PARAM');
    expect((await adminApi('GET', `/users/${encodeURIComponent('@nobody:' + SERVER_NAME)}/media`)).status).toBe(404);
    expect((await adminApi('GET', `/users/${encodeURIComponent('@x:other.example')}/media`)).status).toBe(400);
  });

  it('deletes an item, and its blob and thumbnails once nothing refers to them', async () => {
    const mediaId = await upload(alice, await pngFixture(300, 200), 'image/png');
    const thumb = await api('GET', `/_matrix/client/v1/media/thumbnail/${SERVER_NAME}/${mediaId}?width=30&height=20`, { token: alice.accessToken });
    expect(thumb.status).toBe(200);
    const blobKey = (await blobKeyOf(mediaId))!;
    // The thumbnail is cached after the response; wait for it.
    for (let i = 0; i < 50 && (await env.MEDIA.list({ prefix: `thumb/${blobKey}/` })).objects.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }

    const res = await adminApi('DELETE', `/media/${SERVER_NAME}/${mediaId}`);
    expect(res.body).toEqual({ deleted_media: [mediaId], total: 1 });
    expect((await download(alice, mediaId)).status).toBe(404);
    expect(await env.MEDIA.head(blobKey)).toBeNull();
    expect((await env.MEDIA.list({ prefix: `thumb/${blobKey}/` })).objects).toHaveLength(0);
    expect((await adminApi('DELETE', `/media/${SERVER_NAME}/${mediaId}`)).status).toBe(404);
    expect((await adminApi('DELETE', `/media/other.example/${mediaId}`)).status).toBe(400);
  });

  it('keeps a shared blob while another item still uses it', async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(1000));
    const a = await upload(alice, bytes);
    const b = await upload(admin, bytes);
    const blobKey = (await blobKeyOf(a))!;
    await adminApi('DELETE', `/media/${SERVER_NAME}/${a}`);
    expect(await env.MEDIA.head(blobKey)).not.toBeNull();
    expect((await download(admin, b)).status).toBe(200);
  });

  it("deletes a user's media", async () => {
    const frank = await registerUser();
    const ids = [await upload(frank, 'f1'), await upload(frank, 'f2')];
    const keys = await Promise.all(ids.map(blobKeyOf));
    const res = await adminApi('DELETE', `/users/${encodeURIComponent(frank.userId)}/media`);
    expect(res.body.total).toBe(2);
    expect([...res.body.deleted_media].sort()).toEqual([...ids].sort());
    for (const key of keys) expect(await env.MEDIA.head(key!)).toBeNull();
    expect((await adminApi('GET', `/users/${encodeURIComponent(frank.userId)}/media`)).body.total).toBe(0);
  });
});

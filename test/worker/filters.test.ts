import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { resolveFilterParam } from '../../src/services/filters.js';
import { api, registerUser } from './helpers.js';

const filters = (userId: string, filterId?: string) =>
  `/_matrix/client/v3/user/${encodeURIComponent(userId)}/filter${filterId === undefined ? '' : `/${encodeURIComponent(filterId)}`}`;

// The example filter from filter.yaml.
const SPEC_EXAMPLE = {
  room: {
    state: { types: ['m.room.*'], not_rooms: ['!726s6s6q:example.com'] },
    timeline: { limit: 10, types: ['m.room.message'], not_rooms: ['!726s6s6q:example.com'], not_senders: ['@spam:example.com'] },
    ephemeral: { types: ['m.receipt', 'm.typing'], not_rooms: ['!726s6s6q:example.com'], not_senders: ['@spam:example.com'] },
  },
  presence: { types: ['m.presence'], not_senders: ['@alice:example.com'] },
  event_format: 'client',
  event_fields: ['type', 'content', 'sender'],
};

describe('POST /user/{userId}/filter and GET /user/{userId}/filter/{filterId}', () => {
  it('stores the spec’s example filter and returns it unchanged', async () => {
    const alice = await registerUser();
    const res = await api('POST', filters(alice.userId), { token: alice.accessToken, body: SPEC_EXAMPLE });
    expect(res.status).toBe(200);
    expect(res.body.filter_id).toBeTypeOf('string');
    // "Cannot start with a `{`".
    expect(res.body.filter_id.startsWith('{')).toBe(false);
    const got = await api('GET', filters(alice.userId, res.body.filter_id), { token: alice.accessToken });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(SPEC_EXAMPLE);
  });

  it('gives different filters different IDs and an identical filter the same ID', async () => {
    const alice = await registerUser();
    const token = alice.accessToken;
    const a = await api('POST', filters(alice.userId), { token, body: { room: { timeline: { limit: 1 } } } });
    const b = await api('POST', filters(alice.userId), { token, body: { room: { timeline: { limit: 2 } } } });
    const a2 = await api('POST', filters(alice.userId), { token, body: { room: { timeline: { limit: 1 } } } });
    expect(a.body.filter_id).not.toBe(b.body.filter_id);
    expect(a2.body.filter_id).toBe(a.body.filter_id);
  });

  it('accepts an empty filter and keeps unknown keys', async () => {
    const alice = await registerUser();
    const token = alice.accessToken;
    const empty = await api('POST', filters(alice.userId), { token, body: {} });
    expect(empty.status).toBe(200);
    const body = { presence: { enabled: false }, 'org.example.extra': [1], room: { timeline: { limit: 0 } } };
    const res = await api('POST', filters(alice.userId), { token, body });
    expect(res.status).toBe(200);
    expect((await api('GET', filters(alice.userId, res.body.filter_id), { token })).body).toEqual(body);
  });

  it('refuses wrongly typed fields with 400 M_BAD_JSON naming the field', async () => {
    const alice = await registerUser();
    const token = alice.accessToken;
    const cases: Array<[unknown, string]> = [
      [{ room: { timeline: { limit: 'ten' } } }, 'room.timeline.limit'],
      [{ room: { timeline: { limit: -1 } } }, 'room.timeline.limit'],
      [{ room: { timeline: { limit: 1.5 } } }, 'room.timeline.limit'],
      [{ event_format: 'xml' }, 'event_format'],
      [{ event_fields: 'type' }, 'event_fields'],
      [{ presence: { senders: ['alice'] } }, 'presence.senders.0'],
      [{ room: { rooms: ['#alias:example.com'] } }, 'room.rooms.0'],
      [{ room: { include_leave: 'yes' } }, 'room.include_leave'],
      [{ room: { state: { lazy_load_members: 1 } } }, 'room.state.lazy_load_members'],
      [{ account_data: { types: [1] } }, 'account_data.types.0'],
      [{ room: 'all' }, 'room'],
    ];
    for (const [body, field] of cases) {
      const res = await api('POST', filters(alice.userId), { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errcode, JSON.stringify(body)).toBe('M_BAD_JSON');
      expect(res.body.error, JSON.stringify(body)).toContain(field);
    }
  });

  it('refuses a body that is not JSON with 400 M_NOT_JSON', async () => {
    const alice = await registerUser();
    const res = await api('POST', filters(alice.userId), { token: alice.accessToken, rawBody: '{' });
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_NOT_JSON');
  });

  it('answers 404 M_NOT_FOUND for an unknown filter ID', async () => {
    const alice = await registerUser();
    for (const id of ['12345', 'abc', '01']) {
      const res = await api('GET', filters(alice.userId, id), { token: alice.accessToken });
      expect(res.status, id).toBe(404);
      expect(res.body.errcode, id).toBe('M_NOT_FOUND');
    }
  });

  it('keeps filters per user: another user may neither read nor upload them', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const { body } = await api('POST', filters(alice.userId), { token: alice.accessToken, body: { room: {} } });
    const read = await api('GET', filters(alice.userId, body.filter_id), { token: bob.accessToken });
    expect(read.status).toBe(403);
    expect(read.body.errcode).toBe('M_FORBIDDEN');
    const upload = await api('POST', filters(alice.userId), { token: bob.accessToken, body: {} });
    expect(upload.status).toBe(403);
    expect(upload.body.errcode).toBe('M_FORBIDDEN');
    // Bob's own filter IDs are his own: the same ID names nothing of Alice's for him.
    const own = await api('GET', filters(bob.userId, body.filter_id), { token: bob.accessToken });
    expect(own.status).toBe(404);
  });

  it('requires an access token', async () => {
    const alice = await registerUser();
    const res = await api('POST', filters(alice.userId), { body: {} });
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe('M_MISSING_TOKEN');
  });
});

describe('resolving a /sync filter parameter', () => {
  it('accepts a stored filter ID or inline JSON, and names what is wrong otherwise', async () => {
    const alice = await registerUser();
    const { body } = await api('POST', filters(alice.userId), { token: alice.accessToken, body: { room: { rooms: ['!a:b'] } } });
    expect(await resolveFilterParam(env.DB, alice.userId, body.filter_id)).toEqual({
      ok: true,
      filter: { room: { rooms: ['!a:b'] } },
    });
    expect(await resolveFilterParam(env.DB, alice.userId, '{"room":{"timeline":{"limit":5}}}')).toEqual({
      ok: true,
      filter: { room: { timeline: { limit: 5 } } },
    });
    expect(await resolveFilterParam(env.DB, alice.userId, '999')).toMatchObject({ ok: false, kind: 'not-found' });
    expect(await resolveFilterParam(env.DB, alice.userId, '{oops')).toMatchObject({ ok: false, kind: 'not-json' });
    const invalid = await resolveFilterParam(env.DB, alice.userId, '{"room":{"timeline":{"limit":"x"}}}');
    expect(invalid).toMatchObject({ ok: false, kind: 'invalid' });
    expect(invalid.ok === false && invalid.message).toContain('room.timeline.limit');
  });
});

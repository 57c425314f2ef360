import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { accountDataSince } from '../../src/services/account-data.js';
import { api, registerUser, type TestUser } from './helpers.js';

const P = '/_matrix/client/v3/pushrules';
const enc = encodeURIComponent;
const ids = (rules: { rule_id: string }[]) => rules.map((r) => r.rule_id);

/** Fresh user per test group, so rule orders don't interfere. */
async function user(): Promise<TestUser & { call: (method: string, path: string, body?: unknown) => ReturnType<typeof api> }> {
  const u = await registerUser();
  return { ...u, call: (method, path, body) => api(method, `${P}${path}`, { token: u.accessToken, body }) };
}

describe('GET /pushrules/ and /pushrules/global/', () => {
  it('needs an access token', async () => {
    const res = await api('GET', `${P}/`);
    expect(res.status).toBe(401);
    expect(res.body.errcode).toBe('M_MISSING_TOKEN');
  });

  it('returns the v1.19 server-default rules for a new user, in the spec order', async () => {
    const u = await user();
    const res = await u.call('GET', '/');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['global']);
    const g = res.body.global;
    expect(ids(g.override)).toEqual([
      '.m.rule.master',
      '.m.rule.suppress_notices',
      '.m.rule.invite_for_me',
      '.m.rule.member_event',
      '.m.rule.is_user_mention',
      '.m.rule.is_room_mention',
      '.m.rule.tombstone',
      '.m.rule.reaction',
      '.m.rule.room.server_acl',
      '.m.rule.suppress_edits',
    ]);
    expect(ids(g.underride)).toEqual([
      '.m.rule.call',
      '.m.rule.encrypted_room_one_to_one',
      '.m.rule.room_one_to_one',
      '.m.rule.message',
      '.m.rule.encrypted',
    ]);
    expect(g.content).toEqual([]);
    expect(g.room).toEqual([]);
    expect(g.sender).toEqual([]);
    expect(g.override[0]).toEqual({ rule_id: '.m.rule.master', default: true, enabled: false, conditions: [], actions: [] });
    const invite = g.override.find((r: any) => r.rule_id === '.m.rule.invite_for_me');
    expect(invite.conditions[2]).toEqual({ kind: 'event_match', key: 'state_key', pattern: u.userId });
  });

  it('answers /pushrules/global/ with the same global ruleset', async () => {
    const u = await user();
    const all = await u.call('GET', '/');
    const global = await u.call('GET', '/global/');
    expect(global.status).toBe(200);
    expect(global.body).toEqual(all.body.global);
  });
});

describe('PUT /pushrules/global/{kind}/{ruleId}', () => {
  const cases: Array<[string, string, object, object]> = [
    ['room', '!spam:example.com', {}, {}],
    ['sender', '@bob:example.com', {}, {}],
    ['content', 'nocake', { pattern: 'cake*lie' }, { pattern: 'cake*lie' }],
    [
      'override',
      'beer',
      { conditions: [{ kind: 'event_match', key: 'content.body', pattern: 'beer' }, { kind: 'room_member_count', is: '<=10' }] },
      { conditions: [{ kind: 'event_match', key: 'content.body', pattern: 'beer' }, { kind: 'room_member_count', is: '<=10' }] },
    ],
    ['underride', 'notices', { conditions: [{ kind: 'event_match', key: 'content.msgtype', pattern: 'm.notice' }] }, {
      conditions: [{ kind: 'event_match', key: 'content.msgtype', pattern: 'm.notice' }],
    }],
  ];
  for (const [kind, ruleId, extra, expected] of cases) {
    it(`creates an enabled ${kind} rule that GET returns`, async () => {
      const u = await user();
      const actions = ['notify', { set_tweak: 'sound', value: 'cakealarm.wav' }];
      const put = await u.call('PUT', `/global/${kind}/${enc(ruleId)}`, { actions, ...extra });
      expect(put.status).toBe(200);
      expect(put.body).toEqual({});
      const get = await u.call('GET', `/global/${kind}/${enc(ruleId)}`);
      expect(get.status).toBe(200);
      expect(get.body).toEqual({ rule_id: ruleId, default: false, enabled: true, actions, ...expected });
    });
  }

  it('adds an override rule without conditions as one that always matches', async () => {
    const u = await user();
    expect((await u.call('PUT', '/global/override/all', { actions: [] })).status).toBe(200);
    expect((await u.call('GET', '/global/override/all')).body.conditions).toEqual([]);
  });

  it('drops keys that do not apply to the kind and strips historical actions', async () => {
    const u = await user();
    await u.call('PUT', '/global/room/!r:example.com', { actions: ['dont_notify', 'coalesce'], pattern: 'x', conditions: [] });
    expect((await u.call('GET', '/global/room/!r:example.com')).body).toEqual({
      rule_id: '!r:example.com',
      default: false,
      enabled: true,
      actions: [],
    });
  });

  it('puts user override rules after .m.rule.master and before the other defaults; underride before defaults', async () => {
    const u = await user();
    await u.call('PUT', '/global/override/mine', { actions: ['notify'], conditions: [] });
    await u.call('PUT', '/global/underride/low', { actions: ['notify'], conditions: [] });
    const g = (await u.call('GET', '/global/')).body;
    expect(ids(g.override).slice(0, 3)).toEqual(['.m.rule.master', 'mine', '.m.rule.suppress_notices']);
    expect(ids(g.underride).slice(0, 2)).toEqual(['low', '.m.rule.call']);
  });

  it('adds new rules before older ones, and honours before and after', async () => {
    const u = await user();
    const put = (id: string, q = '') => u.call('PUT', `/global/room/${enc(id)}${q}`, { actions: ['notify'] });
    await put('!a:x');
    await put('!b:x');
    expect(ids((await u.call('GET', '/global/')).body.room)).toEqual(['!b:x', '!a:x']);
    expect((await put('!c:x', `?after=${enc('!b:x')}`)).status).toBe(200);
    expect(ids((await u.call('GET', '/global/')).body.room)).toEqual(['!b:x', '!c:x', '!a:x']);
    expect((await put('!d:x', `?before=${enc('!a:x')}`)).status).toBe(200);
    expect(ids((await u.call('GET', '/global/')).body.room)).toEqual(['!b:x', '!c:x', '!d:x', '!a:x']);
    // Both given: before wins.
    expect((await put('!e:x', `?before=${enc('!b:x')}&after=${enc('!a:x')}`)).status).toBe(200);
    expect(ids((await u.call('GET', '/global/')).body.room)).toEqual(['!e:x', '!b:x', '!c:x', '!d:x', '!a:x']);
    // Moving an existing rule.
    expect((await put('!e:x', `?after=${enc('!a:x')}`)).status).toBe(200);
    expect(ids((await u.call('GET', '/global/')).body.room)).toEqual(['!b:x', '!c:x', '!d:x', '!a:x', '!e:x']);
  });

  it('updates a rule in place, keeping its position and enabled state', async () => {
    const u = await user();
    await u.call('PUT', '/global/content/one', { actions: ['notify'], pattern: 'one' });
    await u.call('PUT', '/global/content/two', { actions: ['notify'], pattern: 'two' });
    await u.call('PUT', '/global/content/one/enabled', { enabled: false });
    expect((await u.call('PUT', '/global/content/one', { actions: [], pattern: 'uno' })).status).toBe(200);
    const g = (await u.call('GET', '/global/')).body;
    expect(g.content).toEqual([
      { rule_id: 'two', default: false, enabled: true, actions: ['notify'], pattern: 'two' },
      { rule_id: 'one', default: false, enabled: false, actions: [], pattern: 'uno' },
    ]);
  });

  it('keeps each user’s rules to themselves', async () => {
    const a = await user();
    const b = await user();
    await a.call('PUT', '/global/sender/@spam:x', { actions: [] });
    expect((await b.call('GET', '/global/')).body.sender).toEqual([]);
    expect((await b.call('GET', '/global/sender/@spam:x')).status).toBe(404);
  });

  describe('errors', () => {
    let u: Awaited<ReturnType<typeof user>>;
    beforeAll(async () => {
      u = await user();
      await u.call('PUT', '/global/room/!a:x', { actions: [] });
    });
    const expectError = async (p: ReturnType<typeof api>, status: number, errcode: string) => {
      const res = await p;
      expect({ status: res.status, errcode: res.body?.errcode }).toEqual({ status, errcode });
    };

    it('rejects rule IDs starting with a dot, even for existing server-default rules', async () => {
      await expectError(u.call('PUT', '/global/override/.mine', { actions: [] }), 400, 'M_INVALID_PARAM');
      await expectError(u.call('PUT', '/global/override/.m.rule.master', { actions: [] }), 400, 'M_INVALID_PARAM');
    });

    it('rejects rule IDs with slashes or backslashes', async () => {
      await expectError(u.call('PUT', `/global/room/${enc('a/b')}`, { actions: [] }), 400, 'M_INVALID_PARAM');
      await expectError(u.call('PUT', `/global/room/${enc('#fo\\o:example.com')}`, { actions: [] }), 400, 'M_INVALID_PARAM');
    });

    it('rejects unknown or server-default before/after anchors', async () => {
      await expectError(u.call('PUT', '/global/room/!b:x?before=nope', { actions: [] }), 400, 'M_INVALID_PARAM');
      await expectError(u.call('PUT', '/global/room/!b:x?after=nope', { actions: [] }), 400, 'M_INVALID_PARAM');
      await expectError(u.call('PUT', '/global/override/x?before=.m.rule.master', { actions: [] }), 400, 'M_INVALID_PARAM');
      // An anchor of another kind is not found either.
      await expectError(u.call('PUT', `/global/sender/@b:x?before=${enc('!a:x')}`, { actions: [] }), 400, 'M_INVALID_PARAM');
      expect((await u.call('GET', '/global/room/!b:x')).status).toBe(404);
    });

    it('validates the body per kind', async () => {
      await expectError(u.call('PUT', '/global/content/c', { actions: [] }), 400, 'M_BAD_JSON');
      await expectError(u.call('PUT', '/global/content/c', { actions: [], pattern: 5 }), 400, 'M_BAD_JSON');
      await expectError(u.call('PUT', '/global/room/!a:x', {}), 400, 'M_BAD_JSON');
      await expectError(u.call('PUT', '/global/room/!a:x', { actions: ['not_an_action'] }), 400, 'M_BAD_JSON');
      await expectError(u.call('PUT', '/global/room/!a:x', { actions: [{ value: 'x' }] }), 400, 'M_BAD_JSON');
      await expectError(u.call('PUT', '/global/underride/u', { actions: [], conditions: [{}] }), 400, 'M_BAD_JSON');
      await expectError(
        u.call('PUT', '/global/override/o', { actions: [], conditions: [{ kind: 'event_match', key: 'type' }] }),
        400,
        'M_BAD_JSON',
      );
      await expectError(u.call('PUT', '/global/override/o', { actions: [], conditions: 'x' }), 400, 'M_BAD_JSON');
      const notJson = await api('PUT', `${P}/global/room/!a:x`, { token: u.accessToken, rawBody: '{nope' });
      expect({ status: notJson.status, errcode: notJson.body.errcode }).toEqual({ status: 400, errcode: 'M_NOT_JSON' });
    });

    it('rejects scopes other than global, unknown kinds and paths missing a part', async () => {
      await expectError(u.call('PUT', '/device/room/!a:x', { actions: [] }), 400, 'M_INVALID_PARAM');
      await expectError(u.call('PUT', '/global/not_a_kind/foo', { actions: [] }), 400, 'M_INVALID_PARAM');
      await expectError(u.call('PUT', '/global/room/', { actions: [] }), 400, 'M_INVALID_PARAM');
      await expectError(u.call('PUT', '/global/room', { actions: [] }), 400, 'M_INVALID_PARAM');
      await expectError(u.call('PUT', '/', { actions: [] }), 400, 'M_INVALID_PARAM');
    });

    it('answers other methods with 405 M_UNRECOGNIZED', async () => {
      await expectError(u.call('POST', '/global/room/!a:x', { actions: [] }), 405, 'M_UNRECOGNIZED');
    });
  });
});

describe('GET and DELETE /pushrules/global/{kind}/{ruleId}', () => {
  it('returns server-default rules with any changes applied', async () => {
    const u = await user();
    const res = await u.call('GET', '/global/underride/.m.rule.message');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      rule_id: '.m.rule.message',
      default: true,
      enabled: true,
      conditions: [{ kind: 'event_match', key: 'type', pattern: 'm.room.message' }],
      actions: ['notify'],
    });
  });

  it('answers 404 M_NOT_FOUND for unknown rules and defaults asked for under the wrong kind', async () => {
    const u = await user();
    for (const path of ['/global/override/not_a_rule_id', '/global/room/.m.rule.master', '/global/override/.m.rule.nope']) {
      const res = await u.call('GET', path);
      expect({ path, status: res.status, errcode: res.body.errcode }).toEqual({ path, status: 404, errcode: 'M_NOT_FOUND' });
    }
  });

  it('answers 400 for unknown scopes, kinds, attributes and incomplete paths', async () => {
    const u = await user();
    for (const path of ['', '/global', '/global/room', '/not_a_scope/', '/global/not_a_template/', '/global/not_a_kind/x',
      '/global/override/.m.rule.master/not_an_attr', '/device/override/.m.rule.master', '/global/override/.m.rule.master/enabled/x']) {
      const res = await u.call('GET', path);
      expect({ path, status: res.status, errcode: res.body.errcode }).toEqual({ path, status: 400, errcode: 'M_INVALID_PARAM' });
    }
  });

  it('deletes a user-defined rule', async () => {
    const u = await user();
    await u.call('PUT', '/global/room/!a:x', { actions: ['notify'] });
    await u.call('PUT', '/global/room/!b:x', { actions: ['notify'] });
    const del = await u.call('DELETE', '/global/room/!a:x');
    expect(del.status).toBe(200);
    expect(del.body).toEqual({});
    expect(ids((await u.call('GET', '/global/')).body.room)).toEqual(['!b:x']);
    const again = await u.call('DELETE', '/global/room/!a:x');
    expect({ status: again.status, errcode: again.body.errcode }).toEqual({ status: 404, errcode: 'M_NOT_FOUND' });
    // A deleted rule created again starts enabled.
    await u.call('PUT', '/global/room/!b:x/enabled', { enabled: false });
    await u.call('DELETE', '/global/room/!b:x');
    await u.call('PUT', '/global/room/!b:x', { actions: [] });
    expect((await u.call('GET', '/global/room/!b:x/enabled')).body).toEqual({ enabled: true });
  });

  it('refuses to delete server-default rules and 404s unknown dotted rules', async () => {
    const u = await user();
    const res = await u.call('DELETE', '/global/override/.m.rule.master');
    expect({ status: res.status, errcode: res.body.errcode }).toEqual({ status: 400, errcode: 'M_INVALID_PARAM' });
    expect((await u.call('GET', '/global/override/.m.rule.master')).status).toBe(200);
    const unknown = await u.call('DELETE', '/global/override/.m.rule.nope');
    expect({ status: unknown.status, errcode: unknown.body.errcode }).toEqual({ status: 404, errcode: 'M_NOT_FOUND' });
    const wrongKind = await u.call('DELETE', '/global/content/.m.rule.master');
    expect(wrongKind.status).toBe(404);
  });
});

describe('/enabled and /actions', () => {
  it('reads and sets enabled on a server-default rule', async () => {
    const u = await user();
    expect((await u.call('GET', '/global/override/.m.rule.master/enabled')).body).toEqual({ enabled: false });
    const put = await u.call('PUT', '/global/override/.m.rule.master/enabled', { enabled: true });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({});
    expect((await u.call('GET', '/global/override/.m.rule.master/enabled')).body).toEqual({ enabled: true });
    const g = (await u.call('GET', '/')).body.global;
    expect(g.override[0]).toMatchObject({ rule_id: '.m.rule.master', enabled: true, default: true });
  });

  it('reads and sets enabled on a user rule', async () => {
    const u = await user();
    await u.call('PUT', '/global/sender/@x:y', { actions: [] });
    expect((await u.call('GET', '/global/sender/@x:y/enabled')).body).toEqual({ enabled: true });
    await u.call('PUT', '/global/sender/@x:y/enabled', { enabled: false });
    expect((await u.call('GET', '/global/sender/@x:y')).body.enabled).toBe(false);
  });

  it('reads and sets the actions of a server-default rule, keeping its enabled change', async () => {
    const u = await user();
    expect((await u.call('GET', '/global/underride/.m.rule.call/actions')).body).toEqual({
      actions: ['notify', { set_tweak: 'sound', value: 'ring' }],
    });
    await u.call('PUT', '/global/underride/.m.rule.call/enabled', { enabled: false });
    const put = await u.call('PUT', '/global/underride/.m.rule.call/actions', { actions: ['notify', 'dont_notify'] });
    expect(put.status).toBe(200);
    expect((await u.call('GET', '/global/underride/.m.rule.call')).body).toMatchObject({
      enabled: false,
      actions: ['notify'],
      default: true,
    });
  });

  it('sets the actions of a user rule', async () => {
    const u = await user();
    await u.call('PUT', '/global/content/c', { actions: [], pattern: 'x' });
    const actions = ['notify', { set_tweak: 'highlight' }];
    expect((await u.call('PUT', '/global/content/c/actions', { actions })).status).toBe(200);
    expect((await u.call('GET', '/global/content/c/actions')).body).toEqual({ actions });
  });

  it('answers 404 M_NOT_FOUND for unknown rules', async () => {
    const u = await user();
    for (const [method, path, body] of [
      ['GET', '/global/room/!nope:x/enabled'],
      ['GET', '/global/room/!nope:x/actions'],
      ['PUT', '/global/room/!nope:x/enabled', { enabled: true }],
      ['PUT', '/global/room/!nope:x/actions', { actions: [] }],
      ['PUT', '/global/override/.m.rule.call/enabled', { enabled: true }],
      ['PUT', '/global/underride/.m.rule.nope/actions', { actions: [] }],
    ] as const) {
      const res = await u.call(method, path, body);
      expect({ path, status: res.status, errcode: res.body.errcode }).toEqual({ path, status: 404, errcode: 'M_NOT_FOUND' });
    }
  });

  it('validates the bodies', async () => {
    const u = await user();
    for (const [path, body] of [
      ['/global/override/.m.rule.master/enabled', { enabled: 'not a boolean' }],
      ['/global/override/.m.rule.master/enabled', {}],
      ['/global/override/.m.rule.master/actions', { actions: ['bogus'] }],
      ['/global/override/.m.rule.master/actions', {}],
    ] as const) {
      const res = await u.call('PUT', path, body);
      expect({ path, status: res.status, errcode: res.body.errcode }).toEqual({ path, status: 400, errcode: 'M_BAD_JSON' });
    }
    const attr = await u.call('PUT', '/global/override/.m.rule.master/not_an_attr', { enabled: true });
    expect({ status: attr.status, errcode: attr.body.errcode }).toEqual({ status: 400, errcode: 'M_INVALID_PARAM' });
  });
});

describe('m.push_rules account data', () => {
  it('is readable as account data and each change is written to the account-data stream for /sync', async () => {
    const u = await user();
    const path = `/_matrix/client/v3/user/${enc(u.userId)}/account_data/m.push_rules`;
    const before = await api('GET', path, { token: u.accessToken });
    expect(before.status).toBe(200);
    expect(before.body).toEqual((await u.call('GET', '/')).body);

    await u.call('PUT', '/global/room/!quiet:x', { actions: [] });
    await u.call('PUT', '/global/override/.m.rule.master/enabled', { enabled: true });
    const current = (await u.call('GET', '/')).body;
    const changes = (await accountDataSince(env.DB, u.userId, 0)).filter((ch) => ch.type === 'm.push_rules');
    expect(changes).toHaveLength(1);
    expect(changes[0]!.roomId).toBeUndefined();
    expect(changes[0]!.content).toEqual(current);
    expect((await api('GET', path, { token: u.accessToken })).body).toEqual(current);
  });

  it('cannot be set by clients (405 M_BAD_JSON)', async () => {
    const u = await user();
    const res = await api('PUT', `/_matrix/client/v3/user/${enc(u.userId)}/account_data/m.push_rules`, {
      token: u.accessToken,
      body: { global: {} },
    });
    expect({ status: res.status, errcode: res.body.errcode }).toEqual({ status: 405, errcode: 'M_BAD_JSON' });
  });
});

describe('guests', () => {
  it('are refused with 403 M_GUEST_ACCESS_FORBIDDEN', async () => {
    // Guest registration is off in this configuration, so make a guest of an ordinary account.
    const u = await registerUser();
    await env.DB.prepare('UPDATE users SET is_guest = 1 WHERE user_id = ?1').bind(u.userId).run();
    const res = await api('GET', `${P}/`, { token: u.accessToken });
    expect({ status: res.status, errcode: res.body.errcode }).toEqual({ status: 403, errcode: 'M_GUEST_ACCESS_FORBIDDEN' });
  });
});

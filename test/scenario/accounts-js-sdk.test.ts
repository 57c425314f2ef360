// matrix-js-sdk as a real client against `wrangler dev`: the whole account lifecycle.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type MatrixClient, MatrixError } from 'matrix-js-sdk';
import { startServer, type RunningServer } from '../support/server.js';

describe('accounts with matrix-js-sdk', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop({ wipe: true });
  });

  it('registers, logs in on two devices, manages profile, account data and devices, changes password, logs out', async () => {
    const password = 'a long enough password';
    const anon = createClient({ baseUrl: server.baseUrl });
    expect(await anon.isVersionSupported('v1.1')).toBe(true);

    // Register through UIA with m.login.dummy, as Element does.
    const registered = await anon.registerRequest({
      username: 'alice',
      password,
      initial_device_display_name: 'Laptop',
      auth: { type: 'm.login.dummy' },
    });
    expect(registered.user_id).toBe(`@alice:${server.serverName}`);

    // Two more devices by password login.
    const login = async (deviceId: string): Promise<MatrixClient> => {
      const c = createClient({ baseUrl: server.baseUrl });
      const res = await c.loginRequest({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'alice' },
        password,
        device_id: deviceId,
      });
      return createClient({ baseUrl: server.baseUrl, userId: res.user_id, accessToken: res.access_token, deviceId: res.device_id });
    };
    const phone = await login('PHONE');
    const tablet = await login('TABLET');

    const who = await phone.whoami();
    expect(who).toMatchObject({ user_id: registered.user_id, device_id: 'PHONE' });

    // Profile.
    await phone.setDisplayName('Alice A.');
    await phone.setAvatarUrl(`mxc://${server.serverName}/avatar123`);
    const profile = await tablet.getProfileInfo(registered.user_id);
    expect(profile).toMatchObject({ displayname: 'Alice A.', avatar_url: `mxc://${server.serverName}/avatar123` });

    // Account data.
    await phone.setAccountData('im.cirrus.test' as any, { hello: 'world' } as any);
    expect(await tablet.getAccountDataFromServer('im.cirrus.test' as any)).toEqual({ hello: 'world' });

    // Devices, and deleting one through UIA with the password.
    const { devices } = await phone.getDevices();
    expect(devices.map((d) => d.device_id).sort()).toEqual([registered.device_id, 'PHONE', 'TABLET'].sort());
    let session: string | undefined;
    try {
      await phone.deleteDevice('TABLET');
      expect.unreachable('UIA should be required');
    } catch (e) {
      expect((e as MatrixError).httpStatus).toBe(401);
      session = (e as MatrixError).data.session as string;
    }
    await phone.deleteDevice('TABLET', {
      type: 'm.login.password',
      session,
      identifier: { type: 'm.id.user', user: registered.user_id },
      password,
    } as any);
    const denied = await tablet.whoami().catch((e: MatrixError) => e);
    expect(denied).toBeInstanceOf(MatrixError);
    expect((denied as MatrixError).httpStatus).toBe(401);
    expect((denied as MatrixError).errcode).toBe('M_UNKNOWN_TOKEN');

    // Change password without logging out other devices, then log out.
    await phone.setPassword(
      { type: 'm.login.password', identifier: { type: 'm.id.user', user: registered.user_id }, password } as any,
      'a brand new password',
      false,
    );
    const relogin = await createClient({ baseUrl: server.baseUrl }).loginWithPassword('alice', 'a brand new password');
    expect(relogin.user_id).toBe(registered.user_id);
    await phone.logout();
    const afterLogout = await phone.whoami().catch((e: MatrixError) => e);
    expect((afterLogout as MatrixError).errcode).toBe('M_UNKNOWN_TOKEN');
  });

  it('creates an admin with `npm run user:create` through shared-secret registration', async () => {
    const script = path.resolve(import.meta.dirname, '../../scripts/create-user.mjs');
    const { stdout } = await promisify(execFile)(process.execPath, [script, 'root', '--admin', '--password', 'rootpw'], {
      env: { ...process.env, CIRRUS_PORT: String(server.port), CIRRUS_STATE_DIR: server.stateDir },
    });
    expect(stdout).toContain(`Created @root:${server.serverName} (admin)`);
    const client = createClient({ baseUrl: server.baseUrl });
    const res = await client.loginWithPassword('root', 'rootpw');
    expect(res.user_id).toBe(`@root:${server.serverName}`);
    // Admin-only API answers for this user.
    const tokens = await fetch(`${server.baseUrl}/_synapse/admin/v1/registration_tokens`, {
      headers: { Authorization: `Bearer ${res.access_token}` },
    });
    expect(tokens.status).toBe(200);
  });
});

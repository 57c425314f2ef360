// Device management (client-server "Device management").
import { Hono } from 'hono';
import * as z from 'zod';
import {
  deleteDevicesWithAuth,
  getDevice,
  listDevices,
  renameDevice,
} from '../../services/devices.js';
import { authDictSchema } from '../../services/uia.js';
import { requireAccessToken } from '../auth.js';
import { jsonBody } from '../body.js';
import type { AppEnv } from '../context.js';

export const deviceRoutes = new Hono<AppEnv>()
  // GET /_matrix/client/v3/devices
  .get('/_matrix/client/v3/devices', requireAccessToken, async (c) =>
    c.json({ devices: await listDevices(c.env.DB, c.var.auth.userId) }),
  )
  // GET /_matrix/client/v3/devices/{deviceId}
  .get('/_matrix/client/v3/devices/:deviceId', requireAccessToken, async (c) =>
    c.json(await getDevice(c.env.DB, c.var.auth.userId, c.req.param('deviceId'))),
  )
  // PUT /_matrix/client/v3/devices/{deviceId}
  .put('/_matrix/client/v3/devices/:deviceId', requireAccessToken, async (c) => {
    const body = await jsonBody(c, z.object({ display_name: z.string().max(1024).optional() }));
    await renameDevice(c.env.DB, c.var.auth.userId, c.req.param('deviceId'), body.display_name);
    return c.json({});
  })
  // DELETE /_matrix/client/v3/devices/{deviceId}
  .delete('/_matrix/client/v3/devices/:deviceId', requireAccessToken, async (c) => {
    const body = await jsonBody(c, z.object({ auth: authDictSchema.optional() }), { allowEmpty: true });
    await deleteDevicesWithAuth(c.env.DB, c.var.config, c.var.auth, [c.req.param('deviceId')], body.auth, Date.now());
    return c.json({});
  })
  // POST /_matrix/client/v3/delete_devices
  .post('/_matrix/client/v3/delete_devices', requireAccessToken, async (c) => {
    const body = await jsonBody(c, z.object({ devices: z.array(z.string()).max(1000), auth: authDictSchema.optional() }));
    await deleteDevicesWithAuth(c.env.DB, c.var.config, c.var.auth, body.devices, body.auth, Date.now());
    return c.json({});
  });

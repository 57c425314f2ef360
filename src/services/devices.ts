// Device management (client-server "Device management"): listing, renaming, and deleting
// devices with their tokens behind UIA.
import type { Config } from '../config.js';
import { notFound } from '../core/errors.js';
import * as usersDb from '../db/users.js';
import { passwordUia } from './account.js';
import { deleteDevices, type Requester } from './sessions.js';
import { finishUia, type AuthDict } from './uia.js';

export async function listDeviceIds(db: D1Database, userId: string): Promise<string[]> {
  return (await usersDb.listDevices(db, userId)).map((d) => d.device_id);
}

export interface DeviceView {
  device_id: string;
  display_name?: string;
  last_seen_ts?: number;
  last_seen_ip?: string;
}

function deviceView(d: usersDb.DeviceRow): DeviceView {
  const v: DeviceView = { device_id: d.device_id };
  if (d.display_name !== null) v.display_name = d.display_name;
  if (d.last_seen_ts !== null) v.last_seen_ts = d.last_seen_ts;
  if (d.last_seen_ip !== null) v.last_seen_ip = d.last_seen_ip;
  return v;
}

export async function listDevices(db: D1Database, userId: string): Promise<DeviceView[]> {
  return (await usersDb.listDevices(db, userId)).map(deviceView);
}

export async function getDevice(db: D1Database, userId: string, deviceId: string): Promise<DeviceView> {
  const d = await usersDb.findDevice(db, userId, deviceId);
  if (!d) throw notFound('Device not found');
  return deviceView(d);
}

export async function renameDevice(db: D1Database, userId: string, deviceId: string, name: string | undefined) {
  const d = await usersDb.findDevice(db, userId, deviceId);
  if (!d) throw notFound('Device not found');
  if (name !== undefined) await usersDb.renameDevice(db, userId, deviceId, name).run();
}

/** DELETE /devices/{deviceId} and POST /delete_devices: UIA, then devices and their tokens go. */
export async function deleteDevicesWithAuth(
  db: D1Database,
  config: Config,
  who: Requester,
  deviceIds: string[],
  auth: AuthDict | undefined,
  now: number,
): Promise<void> {
  const done = await passwordUia(db, config, who, 'delete_devices', auth, now);
  await deleteDevices(db, who.userId, deviceIds);
  await finishUia(db, done);
}

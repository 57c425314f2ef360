// Send-to-device messaging (client-server "Send-to-Device messaging"): PUT
// /sendToDevice/{eventType}/{txnId} drops messages in each recipient device's inbox, kept by
// the recipient's User object until a /sync acknowledges them. `*` means every device of the
// user. Recipients on other servers need federation (EDUs), not supported yet: skipped.
import { serverNameOf } from '../../core/ids/index.js';
import { listDevices } from '../../db/users.js';
import type { Requester } from '../sessions.js';
import { mapLimited, userStub } from './stubs.js';

export async function sendToDevice(
  env: Env,
  serverName: string,
  requester: Requester,
  eventType: string,
  txnId: string,
  messages: Record<string, Record<string, Record<string, unknown>>>,
): Promise<void> {
  // "The transaction ID for this event. Clients should generate an ID unique across requests with the same access token"
  if (!(await userStub(env, requester.userId).claimTxn({ tokenHash: requester.tokenHash, txnId }))) return;
  const recipients = Object.entries(messages).filter(([userId]) => {
    try {
      return serverNameOf(userId) === serverName;
    } catch {
      return false;
    }
  });
  await mapLimited(recipients, 16, async ([userId, byDevice]) => {
    const out: { deviceId: string; message: { sender: string; type: string; content: Record<string, unknown> } }[] = [];
    for (const [deviceId, content] of Object.entries(byDevice)) {
      const targets = deviceId === '*' ? (await listDevices(env.DB, userId)).map((d) => d.device_id) : [deviceId];
      for (const d of targets) out.push({ deviceId: d, message: { sender: requester.userId, type: eventType, content } });
    }
    await userStub(env, userId).sendToDevice({ messages: out });
  });
}

// Signing planned events with the server key (WebCrypto, asynchronous): the only await
// between planning and the synchronous commit. The event ID does not depend on signatures.
import { eventSigningPayload } from '../../../src/core/crypto/event-signing.js';
import { withSignature } from '../../../src/core/crypto/signing.js';
import { encodeBase64 } from '../../../src/core/json/base64.js';
import { checkEventFormat } from '../../../src/core/events/format.js';
import type { Pdu } from '../../../src/core/events/types.js';
import type { RoomVersion } from '../../../src/core/room-versions.js';
import type { Signer } from '../../../src/platform/signer.js';
import type { PlannedEvent } from './plan.js';
import type { RoomFailure } from '../api.js';

export async function signPlanned(
  planned: readonly PlannedEvent[],
  signer: Signer,
  origin: string,
  version: RoomVersion,
): Promise<PlannedEvent[] | RoomFailure> {
  const signed = await Promise.all(
    planned.map(async (p) => {
      const signature = await signer.sign(eventSigningPayload(p.pdu, version));
      return { ...p, pdu: withSignature(p.pdu, origin, signer.keyId, encodeBase64(signature)) as Pdu };
    }),
  );
  for (const p of signed) {
    // "The complete event MUST NOT be larger than 65536 bytes ... including any signatures".
    const format = checkEventFormat(p.pdu, version);
    if (!format.ok) {
      const tooLarge = format.reason.includes('exceeds 65536');
      return { ok: false, errcode: tooLarge ? 'M_TOO_LARGE' : 'M_BAD_JSON', error: `event is invalid: ${format.reason}` };
    }
  }
  return signed;
}

// Every case in the spec's own test values (../shared/matrix-spec/test-vectors.json, taken
// from the appendices). A case of a kind this file does not know fails the suite.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/json/canonical.js';
import { decodeBase64, encodeBase64 } from '../../src/core/json/base64.js';
import { splitPropertyPath } from '../../src/core/json/property-path.js';
import { publicKeyFromSeed, signJson, verifyJsonSignature } from '../../src/core/crypto/signing.js';
import { signEvent, verifyEventSignature } from '../../src/core/crypto/event-signing.js';
import { checkContentHash } from '../../src/core/crypto/hashes.js';
import { mapToUserLocalpart } from '../../src/core/ids/user-id.js';
import { ROOM_V1, ROOM_V11, SUPPORTED_ROOM_VERSIONS, getRoomVersion } from '../../src/core/room-versions.js';

interface Case {
  id: string;
  kind: string;
  input: unknown;
  expected: unknown;
  expected_signature?: string;
}
const vectors = JSON.parse(
  readFileSync(new URL('../../../shared/matrix-spec/test-vectors.json', import.meta.url), 'utf8'),
) as { signing_key: { seed_base64: string; server_name: string; key_id: string }; cases: Case[] };

const { server_name: SERVER, key_id: KEY_ID } = vectors.signing_key;
const SEED = decodeBase64(vectors.signing_key.seed_base64)!;
const PUBLIC_KEY = publicKeyFromSeed(SEED);
const byKind = (kind: string) => vectors.cases.filter((c) => c.kind === kind);
// The event-signing vectors keep the top-level `origin` in the signed (redacted) form,
// which only the v1-10 redaction rules do.
const V1_TO_10 = SUPPORTED_ROOM_VERSIONS.map((id) => getRoomVersion(id)!).filter((v) => v.redaction.keepOriginMembershipAndPrevState);

describe('spec test vectors (appendices)', () => {
  it('has only kinds this suite checks', () => {
    const known = [
      'unpadded_base64_encode',
      'canonical_json',
      'json_signing',
      'event_hash_and_sign',
      'dot_separated_property_path',
      'user_id_localpart_mapping_suggested',
    ];
    expect(vectors.cases.filter((c) => !known.includes(c.kind)).map((c) => c.id)).toEqual([]);
    expect(vectors.cases.length).toBe(27);
  });

  describe('unpadded Base64', () => {
    it.each(byKind('unpadded_base64_encode').map((c) => [c.id, c] as const))('%s encodes as printed', (_id, c) => {
      const bytes = new TextEncoder().encode(c.input as string);
      expect(encodeBase64(bytes)).toBe(c.expected);
      expect(decodeBase64(c.expected as string)).toEqual(bytes);
    });
  });

  describe('canonical JSON', () => {
    it.each(byKind('canonical_json').map((c) => [c.id, c] as const))('%s gives the printed bytes', (_id, c) => {
      expect(canonicalJson(JSON.parse(c.input as string))).toBe(c.expected);
    });
  });

  describe('JSON signing', () => {
    it.each(byKind('json_signing').map((c) => [c.id, c] as const))('%s signs and verifies as printed', (_id, c) => {
      const signed = signJson(c.input as object, SERVER, KEY_ID, SEED);
      expect(signed).toEqual(c.expected);
      expect(signed.signatures[SERVER]![KEY_ID]).toBe(c.expected_signature);
      expect(verifyJsonSignature(c.expected as object, SERVER, KEY_ID, PUBLIC_KEY)).toBe(true);
    });
  });

  describe('event hashing and signing', () => {
    for (const c of byKind('event_hash_and_sign')) {
      it(`${c.id} gives the printed hash and signature in room versions 1-10`, () => {
        expect(V1_TO_10.map((v) => v.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
        for (const version of V1_TO_10) {
          const signed = signEvent(c.input as object, version, SERVER, KEY_ID, SEED);
          expect(signed).toEqual(c.expected);
          expect(checkContentHash(signed, version)).toBe(true);
          expect(verifyEventSignature(signed, version, SERVER, KEY_ID, PUBLIC_KEY)).toBe(true);
        }
      });
      it(`${c.id} signs differently under the v11 rules, which drop top-level origin`, () => {
        const signed = signEvent(c.input as object, ROOM_V11, SERVER, KEY_ID, SEED);
        const expected = c.expected as { hashes: unknown; signatures: Record<string, Record<string, string>> };
        expect(signed.hashes).toEqual(expected.hashes);
        expect(signed.signatures[SERVER]![KEY_ID]).not.toBe(expected.signatures[SERVER]![KEY_ID]);
        expect(verifyEventSignature(c.expected as object, ROOM_V11, SERVER, KEY_ID, PUBLIC_KEY)).toBe(false);
        expect(verifyEventSignature(c.expected as object, ROOM_V1, SERVER, KEY_ID, PUBLIC_KEY)).toBe(true);
      });
    }
  });

  describe('dot-separated property paths', () => {
    it.each(byKind('dot_separated_property_path').map((c) => [c.id, c] as const))('%s splits as described', (_id, c) => {
      expect(splitPropertyPath(c.input as string)).toEqual(c.expected);
    });
  });

  describe('mapping onto the user ID localpart grammar (suggested algorithm)', () => {
    it.each(byKind('user_id_localpart_mapping_suggested').map((c) => [c.id, c] as const))('%s maps as described', (_id, c) => {
      expect(mapToUserLocalpart(c.input as string, { escapeUpperCase: true })).toBe(c.expected);
    });
  });
});

// Ruma's signing and redaction test data (../shared/test-fixtures): an independent
// implementation's expectations, with a key other than the spec's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/json/canonical.js';
import { decodeBase64 } from '../../src/core/json/base64.js';
import { publicKeyFromSeed, signJson, verifyJsonSignature } from '../../src/core/crypto/signing.js';
import { signEvent, verifyEventHashesAndSignatures, verifyEventSignature } from '../../src/core/crypto/event-signing.js';
import { checkContentHash, computeContentHash } from '../../src/core/crypto/hashes.js';
import { redactEvent } from '../../src/core/events/redaction.js';
import { ROOM_V5, getRoomVersion } from '../../src/core/room-versions.js';

const fixture = (path: string) =>
  JSON.parse(readFileSync(new URL(`../../../shared/test-fixtures/${path}`, import.meta.url), 'utf8'));

interface SigningCase {
  id: string;
  kind: string;
  key: string;
  server_name: string;
  room_version?: string;
  input: Record<string, unknown>;
  input_text_variants?: string[];
  expected?: Record<string, unknown>;
  expected_signature?: string;
  expected_content_hash?: string;
}
const signing = fixture('ruma-signatures/VECTORS.json') as {
  keys: Record<string, { seed_base64: string; public_key_base64: string; key_id: string }>;
  cases: SigningCase[];
};
const keyOf = (c: SigningCase) => {
  const k = signing.keys[c.key]!;
  return { seed: decodeBase64(k.seed_base64)!, publicKey: decodeBase64(k.public_key_base64)!, keyId: k.key_id };
};
const casesOf = (kind: string) => signing.cases.filter((c) => c.kind === kind).map((c) => [c.id, c] as const);

describe('ruma signing vectors', () => {
  it('covers every case kind in the file', () => {
    const kinds = new Set(signing.cases.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['event_hash_and_sign', 'json_signing', 'json_signing_then_verify_event', 'json_verify_must_fail']);
  });

  it('derives each public key from its seed', () => {
    for (const k of Object.values(signing.keys)) {
      expect(publicKeyFromSeed(decodeBase64(k.seed_base64)!)).toEqual(decodeBase64(k.public_key_base64));
    }
  });

  it.each(casesOf('json_signing'))('%s: signs JSON as ruma does, whatever the key order', (_id, c) => {
    const { seed, publicKey, keyId } = keyOf(c);
    expect(signJson(c.input, c.server_name, keyId, seed)).toEqual(c.expected);
    for (const text of c.input_text_variants ?? []) {
      expect(signJson(JSON.parse(text), c.server_name, keyId, seed)).toEqual(c.expected);
    }
    expect(verifyJsonSignature(c.expected!, c.server_name, keyId, publicKey)).toBe(true);
  });

  it.each(casesOf('json_verify_must_fail'))('%s: refuses a signatures entry that is not an object', (_id, c) => {
    const { publicKey, keyId } = keyOf(c);
    expect(verifyJsonSignature(c.input, c.server_name, keyId, publicKey)).toBe(false);
  });

  it.each(casesOf('event_hash_and_sign'))('%s: hashes and signs the event under the v1 redaction rules', (_id, c) => {
    const { seed, publicKey, keyId } = keyOf(c);
    const signed = signEvent(c.input, ROOM_V5, c.server_name, keyId, seed);
    expect(signed).toEqual(c.expected);
    expect(signed.hashes.sha256).toBe(c.expected_content_hash);
    expect(signed.signatures[c.server_name]![keyId]).toBe(c.expected_signature);
    expect(verifyEventSignature(signed, ROOM_V5, c.server_name, keyId, publicKey)).toBe(true);
  });

  it.each(casesOf('json_signing_then_verify_event'))(
    '%s: a valid signature with a wrong content hash verifies but must be redacted',
    (_id, c) => {
      const { seed, publicKey, keyId } = keyOf(c);
      const version = getRoomVersion(c.room_version!)!;
      const signed = signJson(c.input, c.server_name, keyId, seed);
      expect(signed.signatures[c.server_name]![keyId]).toBe(c.expected_signature);
      expect(verifyEventSignature(signed, version, c.server_name, keyId, publicKey)).toBe(true);
      expect(checkContentHash(signed, version)).toBe(false);
      expect(computeContentHash(signed, version)).toBe('FzkMUhxcE1d7eZkwrp+VU9LbhuT+vfo1Vm1sD575V/s');
      // The sender is @name:domain-sender; v1-2 would also want domain-event (the event_id's server).
      const lookup = (server: string, id: string) => (server === c.server_name && id === keyId ? publicKey : undefined);
      const outcome = verifyEventHashesAndSignatures(signed, version, lookup);
      expect(outcome).toEqual({ ok: true, contentHashValid: false, event: redactEvent(signed, version.redaction) });
    },
  );
});

interface RedactionCase {
  id: string;
  redaction_rules: string;
  room_versions: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
}
const redaction = fixture('ruma-redaction/REDACTION-VECTORS.json') as { cases: RedactionCase[] };

/** "1-5" → ['1', …, '5'] (test data only; the code under test never parses versions). */
function versionsIn(range: string): string[] {
  const [from, to] = range.split('-').map(Number) as [number, number];
  return Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
}

describe('ruma redaction vectors', () => {
  it('has all 16 cases', () => expect(redaction.cases.length).toBe(16));
  it.each(redaction.cases.map((c) => [c.id, c] as const))('%s: redacts as expected in each listed room version', (_id, c) => {
    for (const id of versionsIn(c.room_versions)) {
      const version = getRoomVersion(id)!;
      expect(canonicalJson(redactEvent(c.input, version.redaction)), `room version ${id}`).toBe(canonicalJson(c.expected));
    }
  });
});

import { describe, expect, it } from 'vitest';
import {
  createEventIdFromRoomId,
  isAnyEventId,
  isCompliantUserId,
  isCurrentGrammarUserId,
  isIPv6Literal,
  isValidEventId,
  isValidLocalpartForRegistration,
  isValidRoomAlias,
  isValidRoomId,
  isValidServerName,
  isValidUserId,
  makeUserId,
  mapToUserLocalpart,
  parseRoomAlias,
  parseRoomId,
  parseServerName,
  parseUserId,
  roomIdFromCreateEventId,
  serverNameOf,
  utf8ByteLength,
} from '../../src/core/ids/index.js';

const HASH = 'Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ'; // 43 URL-safe characters

describe('server names', () => {
  it.each(['matrix.org', 'matrix.org:8888', '1.2.3.4', '1.2.3.4:1234', '[1234:5678::abcd]', '[1234:5678::abcd]:5678'])(
    'accepts the spec example %s',
    (name) => expect(isValidServerName(name)).toBe(true),
  );
  it.each(['', 'exa mple.org', 'example.org:', 'example.org:123456', 'example.org:http', '[1234:5678::abcd', '[::1]x', '[not:ipv6]', 'ex_ample.org', 'a'.repeat(256)])(
    'rejects %j',
    (name) => expect(isValidServerName(name)).toBe(false),
  );
  it('classifies IPv4, IPv6 and DNS hosts and reads the port', () => {
    expect(parseServerName('1.2.3.4:1234')).toMatchObject({ kind: 'ipv4', host: '1.2.3.4', port: 1234 });
    expect(parseServerName('[::1]:8448')).toMatchObject({ kind: 'ipv6', host: '[::1]', port: 8448 });
    expect(parseServerName('Matrix.ORG')).toMatchObject({ kind: 'dns', port: undefined });
  });
  it('treats a dotted quad with an octet over 255 as a DNS name, as the grammar allows', () => {
    expect(parseServerName('256.1.1.1')?.kind).toBe('dns');
  });
  it('checks IPv6 literals against RFC 3513 section 2.2', () => {
    for (const ok of ['::', '::1', '1:2:3:4:5:6:7:8', '1::8', 'fe80::1:2', '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4', 'ABCD::ef']) {
      expect(isIPv6Literal(ok), ok).toBe(true);
    }
    for (const bad of ['1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', ':1:2:3:4:5:6:7', '::1.2.3.256', '1:2:3:4:5:6:7:1.2.3.4', '1.2.3.4']) {
      expect(isIPv6Literal(bad), bad).toBe(false);
    }
  });
});

describe('user IDs', () => {
  it('parses the localpart and server name, splitting at the first colon', () => {
    expect(parseUserId('@alice:example.org:8448')).toEqual({ userId: '@alice:example.org:8448', localpart: 'alice', serverName: 'example.org:8448' });
  });
  it('accepts historical localparts over federation: upper case, symbols, non-ASCII, control characters, empty', () => {
    for (const id of ['@Alice:example.org', '@a*b!c:example.org', '@日本:example.org', '@a\u0001b:example.org', '@:example.org']) {
      expect(isValidUserId(id), id).toBe(true);
    }
  });
  it('rejects NUL, lone surrogates, a missing sigil or server name, and a bad server name', () => {
    for (const id of ['@a\u0000b:example.org', '@a\ud800:example.org', 'alice:example.org', '@alice', '@alice:', '@alice:bad_host']) {
      expect(isValidUserId(id), JSON.stringify(id)).toBe(false);
    }
  });
  it('limits a user ID to 255 bytes of UTF-8, sigil and domain included', () => {
    const server = 'example.org';
    const fits = `@${'a'.repeat(255 - 2 - server.length)}:${server}`;
    expect(fits.length).toBe(255);
    expect(isValidUserId(fits)).toBe(true);
    expect(isValidUserId(`@a${fits.slice(1)}`)).toBe(false);
    // 'é' is two bytes in UTF-8, so the same number of characters is over the limit.
    expect(isValidUserId(`@é${'a'.repeat(255 - 3 - server.length)}:${server}`)).toBe(false);
    expect(utf8ByteLength('é😀')).toBe(6);
  });
  it('tells current-grammar, compliant and historical localparts apart', () => {
    expect(isCurrentGrammarUserId('@a.b_c=d-e/f+1:x.org')).toBe(true);
    expect(isCurrentGrammarUserId('@Alice:x.org')).toBe(false);
    expect(isCompliantUserId('@Alice!:x.org')).toBe(true);
    expect(isCompliantUserId('@:x.org')).toBe(false);
    expect(isCompliantUserId('@a b:x.org')).toBe(false);
    expect(isCompliantUserId('@é:x.org')).toBe(false);
  });
  it('allows only a-z 0-9 . _ = - / + for new registrations', () => {
    expect(isValidLocalpartForRegistration('alice.smith_1=2-3/4+5')).toBe(true);
    for (const bad of ['', 'Alice', 'al ice', 'alice:x', 'al*ce', 'é', 'alice#']) {
      expect(isValidLocalpartForRegistration(bad), bad).toBe(false);
    }
  });
  it('refuses a registration localpart whose full user ID would pass 255 bytes', () => {
    expect(isValidLocalpartForRegistration('a'.repeat(242), 'example.org')).toBe(true);
    expect(isValidLocalpartForRegistration('a'.repeat(243), 'example.org')).toBe(false);
  });
  it('builds user IDs only when valid', () => {
    expect(makeUserId('alice', 'example.org')).toBe('@alice:example.org');
    expect(makeUserId('alice', 'bad host')).toBeUndefined();
  });
  it('maps other character sets with lower-casing by default and =xx escapes', () => {
    expect(mapToUserLocalpart('Alice_Smith=')).toBe('alice_smith=3d');
    expect(mapToUserLocalpart('Alice_Smith', { escapeUpperCase: true })).toBe('_alice___smith');
    expect(isValidLocalpartForRegistration(mapToUserLocalpart('Ünïcødé #1 ☃'))).toBe(true);
  });
});

describe('room IDs', () => {
  it('parses the server form of room versions 1-11', () => {
    expect(parseRoomId('!abc123:matrix.org')).toEqual({ kind: 'server', roomId: '!abc123:matrix.org', localpart: 'abc123', serverName: 'matrix.org' });
  });
  it('parses the room v12 form: a 43-character URL-safe hash with no server part', () => {
    expect(parseRoomId(`!${HASH}`)).toEqual({ kind: 'create-event-hash', roomId: `!${HASH}`, hash: HASH });
    expect(isValidRoomId(`!${HASH.slice(1)}`)).toBe(false);
    expect(isValidRoomId(`!${HASH.slice(1)}+`)).toBe(false);
    expect(serverNameOf(`!${HASH}`)).toBeUndefined();
  });
  it('rejects other sigils, bad server names and IDs over 255 bytes', () => {
    expect(isValidRoomId('#abc:matrix.org')).toBe(false);
    expect(isValidRoomId('!abc:bad host')).toBe(false);
    expect(isValidRoomId(`!${'a'.repeat(250)}:x.org`)).toBe(false);
  });
  it('converts between a v12 room ID and its create event ID', () => {
    expect(roomIdFromCreateEventId(`$${HASH}`)).toBe(`!${HASH}`);
    expect(createEventIdFromRoomId(`!${HASH}`)).toBe(`$${HASH}`);
    expect(createEventIdFromRoomId('!abc:matrix.org')).toBeUndefined();
  });
});

describe('room aliases', () => {
  it('accepts any non-surrogate localpart except colon and NUL', () => {
    expect(parseRoomAlias('#Général ☃:example.org')).toEqual({ alias: '#Général ☃:example.org', localpart: 'Général ☃', serverName: 'example.org' });
    expect(isValidRoomAlias('#a\u0000:example.org')).toBe(false);
    expect(isValidRoomAlias('!a:example.org')).toBe(false);
    expect(isValidRoomAlias(`#${'a'.repeat(242)}:example.org`)).toBe(true);
    expect(isValidRoomAlias(`#${'a'.repeat(243)}:example.org`)).toBe(false);
  });
});

describe('event IDs', () => {
  const STD = 'CD66HAED5npg6074c6pDtLKalHjVfYb2q4Q3LZgrW6o';
  it('v1: $opaque_id:domain', () => {
    expect(isValidEventId('$a4ecee13e2accdadf56c1025:example.com', 'v1')).toBe(true);
    expect(isValidEventId(`$${STD}`, 'v1')).toBe(false);
    expect(serverNameOf('$abc:example.com')).toBe('example.com');
  });
  it('v3: $ + reference hash in standard Base64 (may contain / and +)', () => {
    expect(isValidEventId(`$${STD}`, 'v3')).toBe(true);
    expect(isValidEventId('$abc/def+ghiabc/def+ghiabc/def+ghiabc/def+gh', 'v3')).toBe(true);
    expect(isValidEventId('$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg', 'v3')).toBe(false);
  });
  it('v4+: $ + reference hash in URL-safe Base64', () => {
    expect(isValidEventId('$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg', 'v4')).toBe(true);
    expect(isValidEventId('$abc/def+ghiabc/def+ghiabc/def+ghiabc/def+gh', 'v4')).toBe(false);
    expect(isValidEventId(`$${STD}=`, 'v4')).toBe(false);
    expect(isValidEventId(STD, 'v4')).toBe(false);
  });
  it('accepts an event ID of any format when the room version is unknown', () => {
    expect(isAnyEventId('$x:example.org')).toBe(true);
    expect(isAnyEventId(`$${STD}`)).toBe(true);
    expect(isAnyEventId('$not a hash')).toBe(false);
  });
  it('limits v1 event IDs to 255 bytes', () => {
    expect(isValidEventId(`$${'a'.repeat(242)}:example.org`, 'v1')).toBe(true);
    expect(isValidEventId(`$${'a'.repeat(243)}:example.org`, 'v1')).toBe(false);
  });
});

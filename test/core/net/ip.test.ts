// The outbound guard's address classifier (src/core/net/ip.ts): literals parsed as URL
// parsers read them, and every special-purpose range refused, including IPv6 forms that wrap
// an IPv4 address.
import { describe, expect, it } from 'vitest';
import { classifyIp, classifyIpLiteral, describeNonPublic, parseIp, parseIpv4, parseIpv6 } from '../../../src/core/net/ip.js';

const dotted = (b: Uint8Array | undefined) => (b ? Array.from(b).join('.') : undefined);
const hex = (b: Uint8Array | undefined) => (b ? Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('') : undefined);

describe('parseIpv4', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'], // one 32-bit decimal number
    ['0x7f000001', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'], // the last part fills the remaining three bytes
    ['127.1', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'], // a leading 0 means octal
    ['017700000001', '127.0.0.1'],
    ['10.0.1', '10.0.0.1'],
    ['169.254.43518', '169.254.169.254'],
    ['0xA9.0xFE.0xA9.0xFE', '169.254.169.254'],
    ['0x', '0.0.0.0'], // an empty hex number is zero (WHATWG)
    ['1.2.3.4.', '1.2.3.4'], // one trailing dot
    ['4294967295', '255.255.255.255'],
  ])('reads %s as %s', (text, expected) => {
    expect(dotted(parseIpv4(text))).toBe(expected);
  });

  it.each(['', '1.2.3.4.5', '256.0.0.1', '1.2.3.256', '4294967296', '1..2.3', '08', '0x1g', 'example.com', '1.2.3.4..', '-1'])(
    'refuses %j',
    (text) => {
      expect(parseIpv4(text)).toBeUndefined();
    },
  );

  it('agrees with the WHATWG URL parser on the odd forms', () => {
    for (const text of ['2130706433', '0x7f.1', '0177.0.0.1', '127.1', '0x7f.0.0.0x1', '0300.0250.1', '3232235777', '0.0x0.00.0']) {
      expect(dotted(parseIpv4(text))).toBe(new URL(`http://${text}/`).hostname);
    }
  });
});

describe('parseIpv6', () => {
  it.each([
    ['::1', '00000000000000000000000000000001'],
    ['[::1]', '00000000000000000000000000000001'],
    ['::', '00000000000000000000000000000000'],
    ['fe80::1', 'fe800000000000000000000000000001'],
    ['::ffff:127.0.0.1', '00000000000000000000ffff7f000001'],
    ['::ffff:7f00:1', '00000000000000000000ffff7f000001'],
    ['[64:ff9b::10.0.0.1]', '0064ff9b00000000000000000a000001'],
    ['2001:db8:0:0:0:0:2:1', '20010db8000000000000000000020001'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['::2:3:4:5:6:7:8', '00000002000300040005000600070008'],
  ])('reads %s', (text, expected) => {
    expect(hex(parseIpv6(text))).toBe(expected);
  });

  it.each(['1:2:3:4:5:6:7:8:9', '1::2::3', '::1%eth0', 'fe80::1%25eth0', '12345::', ':1::', '1:::2', '::ffff:1.2.3', '::ffff:01.2.3.4', '1.2.3.4::', 'g::1', '1:2:3:4:5:6:7'])(
    'refuses %j',
    (text) => {
      expect(parseIpv6(text)).toBeUndefined();
    },
  );
});

describe('classifyIp', () => {
  const range = (text: string) => {
    const c = classifyIpLiteral(text);
    return c.public ? 'public' : c.range;
  };

  it.each([
    ['0.0.0.0', 'this-network'],
    ['0.1.2.3', 'this-network'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'carrier-grade-nat'],
    ['100.127.255.254', 'carrier-grade-nat'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.8', 'protocol-assignments'],
    ['192.0.2.1', 'documentation'],
    ['192.88.99.1', '6to4-relay-anycast'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['2130706433', 'loopback'],
    ['0x0a.1', 'private'],
  ])('IPv4 %s is %s', (text, expected) => {
    expect(range(text)).toBe(expected);
  });

  it.each(['1.1.1.1', '8.8.8.8', '93.184.215.14', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '169.253.0.1', '192.169.0.1', '198.20.0.1', '223.255.255.255', '11.0.0.1'])(
    'IPv4 %s is public',
    (text) => {
      expect(range(text)).toBe('public');
    },
  );

  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::2', 'reserved'], // the deprecated IPv4-compatible ::/96
    ['::127.0.0.1', 'reserved'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['100::1', 'discard-only'],
    ['64:ff9b:1::1', 'nat64-local-use'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'teredo'],
    ['2001:2::1', 'protocol-assignments'], // benchmarking, inside 2001::/23
    ['2001:10::1', 'protocol-assignments'], // ORCHID
    ['4000::1', 'reserved'], // outside 2000::/3
    ['5f00::1', 'reserved'], // SRv6 SIDs
  ])('IPv6 %s is %s', (text, expected) => {
    expect(range(text)).toBe(expected);
  });

  it.each(['2606:4700:4700::1111', '2001:4860:4860::8888', '2a00:1450::1', '2001:200::1', '3ffe::1'])('IPv6 %s is public', (text) => {
    expect(range(text)).toBe('public');
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback', 'ipv4-mapped'],
    ['::ffff:7f00:1', 'loopback', 'ipv4-mapped'],
    ['::ffff:a9fe:a9fe', 'link-local', 'ipv4-mapped'],
    ['::ffff:0:10.0.0.1', 'private', 'ipv4-translated'],
    ['64:ff9b::127.0.0.1', 'loopback', 'nat64'],
    ['64:ff9b::c0a8:101', 'private', 'nat64'],
    ['2002:7f00:1::', 'loopback', '6to4'],
    ['2002:a9fe:a9fe::1', 'link-local', '6to4'],
  ])('IPv6 %s wraps a %s IPv4 address (%s)', (text, expected, embeddedIn) => {
    expect(classifyIpLiteral(text)).toEqual({ public: false, range: expected, embeddedIn });
  });

  it('lets IPv6 forms through when the IPv4 address they wrap is public', () => {
    for (const text of ['::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1']) expect(range(text)).toBe('public');
  });

  it('treats what is not an IP literal as unparseable, never public', () => {
    expect(classifyIpLiteral('example.com')).toEqual({ public: false, range: 'unparseable' });
    expect(classifyIpLiteral('::1%lo')).toEqual({ public: false, range: 'unparseable' });
  });

  it('classifies parsed addresses and describes the range for messages', () => {
    const c = classifyIp(parseIp('::ffff:192.168.0.1')!);
    expect(c.public).toBe(false);
    if (!c.public) expect(describeNonPublic(c)).toBe('private (inside ipv4-mapped)');
    expect(describeNonPublic({ public: false, range: 'loopback' })).toBe('loopback');
  });
});

// IP address literals and whether an address is publicly routable: the pure half of the
// outbound (SSRF) guard in src/platform/net/. Parsing follows the WHATWG URL standard's host
// parser, so `2130706433`, `0x7f.1` and `0177.0.0.1` are read as 127.0.0.1 exactly as
// `new URL()` and the fetch API read them. The ranges are the IANA special-purpose address
// registries (RFC 6890 and later); anything not routable on the public internet is refused,
// including IPv6 forms that carry an IPv4 address (mapped, translated, NAT64, 6to4).

export type IpAddress = { version: 4; bytes: Uint8Array } | { version: 6; bytes: Uint8Array };

/** Why an address is not public: the special-purpose range it falls in. */
export type NonPublicRange =
  | 'unspecified'
  | 'this-network'
  | 'loopback'
  | 'private'
  | 'carrier-grade-nat'
  | 'link-local'
  | 'protocol-assignments'
  | 'documentation'
  | '6to4-relay-anycast'
  | 'benchmarking'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'unique-local'
  | 'site-local'
  | 'discard-only'
  | 'nat64-local-use'
  | 'teredo'
  | 'unparseable';

/** An IPv6 form whose address is really an embedded IPv4 one. */
export type Embedding = 'ipv4-mapped' | 'ipv4-translated' | 'nat64' | '6to4';

export type IpClass = { public: true } | { public: false; range: NonPublicRange; embeddedIn?: Embedding };

/** One part of a WHATWG IPv4 address: decimal, `0x` hex (possibly empty) or `0` octal. */
function ipv4Number(part: string): number | undefined {
  if (part === '') return undefined;
  let radix = 10;
  let digits = part;
  if (/^0[xX]/.test(part)) {
    radix = 16;
    digits = part.slice(2);
  } else if (part.length > 1 && part.startsWith('0')) {
    radix = 8;
    digits = part.slice(1);
  }
  if (digits === '') return 0;
  const valid = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return undefined;
  return parseInt(digits, radix);
}

/**
 * The WHATWG "IPv4 parser": one to four dot-separated numbers, each decimal, hex or octal,
 * the last filling the remaining bytes (`127.1` = 127.0.0.1, `2130706433` = 127.0.0.1); one
 * trailing dot is allowed.
 */
export function parseIpv4(text: string): Uint8Array | undefined {
  const parts = (text.endsWith('.') ? text.slice(0, -1) : text).split('.');
  if (parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    const n = ipv4Number(part);
    if (n === undefined) return undefined;
    numbers.push(n);
  }
  const last = numbers.pop()!;
  if (numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return undefined;
  const bytes = new Uint8Array(4);
  numbers.forEach((n, i) => (bytes[i] = n));
  for (let i = 3, rest = last; i >= numbers.length; i--, rest = Math.floor(rest / 256)) bytes[i] = rest % 256;
  return bytes;
}

/** A strict dotted quad (as an IPv6 address's tail must be): four decimal numbers 0-255. */
function parseDottedQuad(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return Uint8Array.from(parts.map(Number));
}

/** 1-4 hex digit groups, the last of which may be a dotted IPv4 address (two groups' worth). */
function ipv6Groups(text: string, allowIpv4Tail: boolean): number[] | undefined {
  if (text === '') return [];
  const pieces = text.split(':');
  const groups: number[] = [];
  for (const [i, piece] of pieces.entries()) {
    if (allowIpv4Tail && i === pieces.length - 1 && piece.includes('.')) {
      const v4 = parseDottedQuad(piece);
      if (!v4) return undefined;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/** An IPv6 address, bracketed or not; zone IDs (`%eth0`) are not addresses a URL can carry. */
export function parseIpv6(text: string): Uint8Array | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const halves = bare.split('::');
  if (halves.length > 2) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const head = ipv6Groups(halves[0]!, false);
    const tail = ipv6Groups(halves[1]!, true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = ipv6Groups(bare, true);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  }
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** An IP literal as a URL's host may carry it, or undefined for anything else (a DNS name). */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':') || text.startsWith('[')) {
    const bytes = parseIpv6(text);
    return bytes && { version: 6, bytes };
  }
  const bytes = parseIpv4(text);
  return bytes && { version: 4, bytes };
}

type Prefix = { bytes: Uint8Array; bits: number };

const prefix = (address: string, bits: number): Prefix => ({ bytes: parseIp(address)!.bytes, bits });

function inPrefix(bytes: Uint8Array, p: Prefix): boolean {
  for (let bit = 0; bit < p.bits; bit += 8) {
    const mask = p.bits - bit >= 8 ? 0xff : (0xff << (8 - (p.bits - bit))) & 0xff;
    if ((bytes[bit / 8]! & mask) !== (p.bytes[bit / 8]! & mask)) return false;
  }
  return true;
}

// IANA IPv4 Special-Purpose Address Registry. Some entries hold a few globally reachable
// anycast addresses (192.0.0.9, 192.0.0.10): no server this one talks to lives there.
const IPV4_RANGES: readonly [Prefix, NonPublicRange][] = [
  [prefix('0.0.0.0', 8), 'this-network'],
  [prefix('10.0.0.0', 8), 'private'],
  [prefix('100.64.0.0', 10), 'carrier-grade-nat'],
  [prefix('127.0.0.0', 8), 'loopback'],
  [prefix('169.254.0.0', 16), 'link-local'],
  [prefix('172.16.0.0', 12), 'private'],
  [prefix('192.0.0.0', 24), 'protocol-assignments'],
  [prefix('192.0.2.0', 24), 'documentation'],
  [prefix('192.88.99.0', 24), '6to4-relay-anycast'],
  [prefix('192.168.0.0', 16), 'private'],
  [prefix('198.18.0.0', 15), 'benchmarking'],
  [prefix('198.51.100.0', 24), 'documentation'],
  [prefix('203.0.113.0', 24), 'documentation'],
  [prefix('224.0.0.0', 4), 'multicast'],
  [prefix('255.255.255.255', 32), 'broadcast'],
  [prefix('240.0.0.0', 4), 'reserved'],
];

/** IPv6 forms that carry an IPv4 address, and where its four bytes sit. */
const IPV6_EMBEDDINGS: readonly [Prefix, Embedding, number][] = [
  [prefix('::ffff:0:0', 96), 'ipv4-mapped', 12],
  [prefix('::ffff:0:0:0', 96), 'ipv4-translated', 12],
  [prefix('64:ff9b::', 96), 'nat64', 12],
  [prefix('2002::', 16), '6to4', 2],
];

// IANA IPv6 Special-Purpose Address Registry, then everything outside 2000::/3 (the only
// global unicast space allocated) is reserved: that covers the deprecated IPv4-compatible
// ::/96 too.
const IPV6_RANGES: readonly [Prefix, NonPublicRange][] = [
  [prefix('::', 128), 'unspecified'],
  [prefix('::1', 128), 'loopback'],
  [prefix('64:ff9b:1::', 48), 'nat64-local-use'],
  [prefix('100::', 64), 'discard-only'],
  // Teredo tunnels to whatever client address it obfuscates: refused outright.
  [prefix('2001::', 32), 'teredo'],
  [prefix('2001::', 23), 'protocol-assignments'],
  [prefix('2001:db8::', 32), 'documentation'],
  [prefix('3fff::', 20), 'documentation'],
  [prefix('fc00::', 7), 'unique-local'],
  [prefix('fe80::', 10), 'link-local'],
  [prefix('fec0::', 10), 'site-local'],
  [prefix('ff00::', 8), 'multicast'],
];

const GLOBAL_UNICAST_V6 = prefix('2000::', 3);

/** Whether an address is publicly routable, or the special-purpose range that makes it not. */
export function classifyIp(address: IpAddress): IpClass {
  const { bytes } = address;
  if (address.version === 4) {
    const hit = IPV4_RANGES.find(([p]) => inPrefix(bytes, p));
    return hit ? { public: false, range: hit[1] } : { public: true };
  }
  for (const [p, embeddedIn, offset] of IPV6_EMBEDDINGS) {
    if (!inPrefix(bytes, p)) continue;
    const inner = classifyIp({ version: 4, bytes: bytes.slice(offset, offset + 4) });
    return inner.public ? inner : { public: false, range: inner.range, embeddedIn };
  }
  const hit = IPV6_RANGES.find(([p]) => inPrefix(bytes, p));
  if (hit) return { public: false, range: hit[1] };
  return inPrefix(bytes, GLOBAL_UNICAST_V6) ? { public: true } : { public: false, range: 'reserved' };
}

/** `classifyIp` of a literal; anything that is not an IP literal is `unparseable`. */
export function classifyIpLiteral(text: string): IpClass {
  const address = parseIp(text);
  return address ? classifyIp(address) : { public: false, range: 'unparseable' };
}

/** "loopback", "private (inside ipv4-mapped)": the range, for error messages. */
export function describeNonPublic(c: Extract<IpClass, { public: false }>): string {
  return `${c.range}${c.embeddedIn ? ` (inside ${c.embeddedIn})` : ''}`;
}

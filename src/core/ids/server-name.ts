// Server names (appendix "Server Name"):
//   server_name = hostname [ ":" port ]
//   hostname    = IPv4address / "[" IPv6address "]" / dns-name
// Validation follows the grammar, as Synapse and Ruma do: a dotted quad with an octet
// over 255 still matches `dns-name`, so it is accepted (classified as a DNS name).
import type { ServerName } from '../events/types.js';

export interface ParsedServerName {
  readonly serverName: ServerName;
  /** The hostname as written, brackets included for IPv6. */
  readonly host: string;
  readonly kind: 'dns' | 'ipv4' | 'ipv6';
  /** The port, when one is given. */
  readonly port: number | undefined;
}

// dns-name = 1*255dns-char ; dns-char = DIGIT / ALPHA / "-" / "."
const DNS_NAME = /^[A-Za-z0-9.-]{1,255}$/;
// IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
// port = 1*5DIGIT
const PORT = /^\d{1,5}$/;
// IPv6address = 2*45IPv6char ; IPv6char = DIGIT / %x41-46 / %x61-66 / ":" / "."
const IPV6_CHARS = /^[0-9A-Fa-f:.]{2,45}$/;

/** "IPv4 literals must be a sequence of four decimal numbers in the range 0 to 255, separated by `.`." */
export function isIPv4Literal(host: string): boolean {
  const m = IPV4.exec(host);
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255);
}

/** "IPv6 literals must be as specified by RFC3513, section 2.2" (x:x:x:x:x:x:x:x, `::`, x:x:x:x:x:x:d.d.d.d). */
export function isIPv6Literal(address: string): boolean {
  if (!IPV6_CHARS.test(address)) return false;
  let groups = 8;
  let text = address;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    // An embedded IPv4 address takes the place of the last two 16-bit groups.
    if (!isIPv4Literal(text.slice(lastColon + 1))) return false;
    text = `${text.slice(0, lastColon + 1)}0`;
    groups = 7;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const part = (s: string): string[] | undefined => {
    if (s === '') return [];
    const hex = s.split(':');
    return hex.every((h) => /^[0-9A-Fa-f]{1,4}$/.test(h)) ? hex : undefined;
  };
  const head = part(halves[0]!);
  if (head === undefined) return false;
  if (halves.length === 1) return head.length === groups;
  const tail = part(halves[1]!);
  if (tail === undefined) return false;
  // `::` stands for one or more groups of zeros.
  return head.length + tail.length < groups;
}

/** Parses a server name per the grammar; undefined when it does not match. */
export function parseServerName(text: string): ParsedServerName | undefined {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    host = text.slice(0, close + 1);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return undefined;
      portText = rest.slice(1);
    }
    if (!isIPv6Literal(host.slice(1, -1))) return undefined;
  } else {
    const colon = text.indexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    portText = colon < 0 ? undefined : text.slice(colon + 1);
    if (!DNS_NAME.test(host)) return undefined;
  }
  if (portText !== undefined && !PORT.test(portText)) return undefined;
  const kind = host.startsWith('[') ? 'ipv6' : isIPv4Literal(host) ? 'ipv4' : 'dns';
  return {
    serverName: text as ServerName,
    host,
    kind,
    port: portText === undefined ? undefined : Number(portText),
  };
}

export function isValidServerName(text: string): text is ServerName {
  return parseServerName(text) !== undefined;
}

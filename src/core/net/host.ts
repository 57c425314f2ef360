// What a URL's host names, for the outbound guard: an IP literal (classified), a DNS name
// to resolve, or a name that is never a public host.
import { type IpAddress, type IpClass, classifyIp, parseIp } from './ip.js';

export type HostKind =
  | { kind: 'ip'; address: IpAddress; class: IpClass }
  /** A DNS name: lower-case, without a trailing dot. */
  | { kind: 'name'; name: string }
  | { kind: 'refused-name'; why: string };

/**
 * A host as `URL.hostname` gives it (IPv6 in brackets, IPv4 already normalised by the URL
 * parser, though the odd forms are read here too). "localhost" and its subdomains are
 * loopback by definition (RFC 6761, section 6.3), whatever a resolver says; a name without a
 * dot is left to local search domains, never to public DNS.
 */
export function classifyHost(hostname: string): HostKind {
  const address = parseIp(hostname);
  if (address) return { kind: 'ip', address, class: classifyIp(address) };
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return { kind: 'refused-name', why: 'localhost names are loopback' };
  if (!name.includes('.')) return { kind: 'refused-name', why: 'a name without a dot is not a public DNS name' };
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/.test(name)) return { kind: 'refused-name', why: 'not a valid DNS name' };
  return { kind: 'name', name };
}

// The outbound policy: which destinations the server may connect to. Parsed from config
// (OUTBOUND_GUARD, OUTBOUND_ALLOW_HOSTS, OUTBOUND_ALLOW_PORTS, DNS_RESOLVER_URL in
// src/config.ts) and enforced by checkOutbound/guardedFetch (./outbound.ts).

export const DEFAULT_DNS_RESOLVER_URL = 'https://cloudflare-dns.com/dns-query';

/** A destination that skips the address and port checks: a host, on any port or on one. */
export interface AllowedHost {
  /** As `URL.hostname` gives it: lower-case, IPv4 normalised, IPv6 in brackets; no trailing dot. */
  host: string;
  /** undefined = any port. */
  port?: number;
}

export interface OutboundPolicy {
  /** OUTBOUND_GUARD: false skips the address and port checks (local development and tests only). */
  enabled: boolean;
  /** OUTBOUND_ALLOW_HOSTS: destinations trusted as they are (a local fake identity server, an internal push gateway). */
  allowHosts: readonly AllowedHost[];
  /** OUTBOUND_ALLOW_PORTS: the ports any other destination may use. Default [443]. */
  allowPorts: readonly number[];
  /** DNS_RESOLVER_URL: the DNS-over-HTTPS JSON endpoint that resolves names (A and AAAA). */
  resolverUrl: string;
  /** URL schemes this caller may use; default ['https:']. Not configuration: each caller says what its protocol allows. */
  schemes?: readonly ('https:' | 'http:')[];
}

/** `URL.hostname` without a trailing dot, so `example.com.` and `example.com` are one host. */
export const normalHost = (hostname: string) => hostname.toLowerCase().replace(/\.$/, '');

/**
 * One OUTBOUND_ALLOW_HOSTS entry: `host`, `host:port`, `[v6]` or `[v6]:port`, normalised the
 * way URLs normalise hosts (so `2130706433` is 127.0.0.1). undefined if it is none of those.
 */
export function parseAllowedHost(entry: string): AllowedHost | undefined {
  const m = /^(\[[^\]]+\]|[^:[\]/@?#]+)(?::(\d{1,5}))?$/.exec(entry);
  if (!m) return undefined;
  let hostname: string;
  try {
    hostname = new URL(`https://${m[1]}/`).hostname;
  } catch {
    return undefined;
  }
  if (m[2] === undefined) return { host: normalHost(hostname) };
  const port = Number(m[2]);
  return port >= 1 && port <= 65_535 ? { host: normalHost(hostname), port } : undefined;
}

/** Whether `host` on `port` is an allow-listed destination. */
export function isAllowListed(policy: Pick<OutboundPolicy, 'allowHosts'>, hostname: string, port: number): boolean {
  const host = normalHost(hostname);
  return policy.allowHosts.some((a) => a.host === host && (a.port === undefined || a.port === port));
}

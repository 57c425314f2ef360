// Answers of a DNS-over-HTTPS resolver's JSON API (application/dns-json, as Cloudflare's and
// Google's resolvers serve it: https://developers.cloudflare.com/1.1.1.1/encryption/dns-over-https/make-api-requests/dns-json/).
// Workers have no DNS API, so the outbound guard asks one of these for A and AAAA records.
import * as z from 'zod';

/** The record types the guard asks for, by their DNS type numbers (RFC 1035, RFC 3596). */
export const DNS_TYPES = { A: 1, AAAA: 28 } as const;
export type AddressRecordType = keyof typeof DNS_TYPES;

export type DohAnswer =
  /** `addresses` is empty when the name does not exist (NXDOMAIN) or has no such record. */
  | { ok: true; addresses: string[]; ttlSeconds: number }
  | { ok: false; error: string };

const RCODE_NOERROR = 0;
const RCODE_NXDOMAIN = 3;
/** How long an answer without records (and so without a TTL) is kept. */
const EMPTY_ANSWER_TTL_SECONDS = 60;

const record = z.looseObject({ type: z.number(), TTL: z.number().optional(), data: z.string() });
const dnsJson = z.looseObject({
  Status: z.number(),
  Answer: z.array(record).optional(),
  Authority: z.array(z.looseObject({ TTL: z.number().optional() })).optional(),
});

/**
 * The addresses of one `type` in a resolver's answer, and how long they may be kept (the
 * smallest TTL among them). CNAME records in the chain are skipped: the resolver has already
 * followed them and lists the final records too.
 */
export function parseDohJson(body: unknown, type: AddressRecordType): DohAnswer {
  const parsed = dnsJson.safeParse(body);
  if (!parsed.success) return { ok: false, error: 'the resolver answered something other than DNS JSON' };
  const { Status: status, Answer: answer = [], Authority: authority = [] } = parsed.data;
  if (status !== RCODE_NOERROR && status !== RCODE_NXDOMAIN) return { ok: false, error: `the resolver answered DNS error ${status}` };
  const records = status === RCODE_NOERROR ? answer.filter((r) => r.type === DNS_TYPES[type]) : [];
  const ttls = (records.length ? records : authority).map((r) => r.TTL).filter((t): t is number => t !== undefined && t >= 0);
  return {
    ok: true,
    addresses: records.map((r) => r.data),
    ttlSeconds: ttls.length ? Math.min(...ttls) : EMPTY_ANSWER_TTL_SECONDS,
  };
}

// Filters (client-server "Filtering"): upload, download, and resolving the `filter`
// parameter of /sync (a filter ID or inline JSON) into a validated Filter.
import { canonicalJson } from '../core/json/canonical.js';
import { parseFilter, type Filter } from '../core/filters.js';
import * as filtersDb from '../db/filters.js';
import { bodyTooDeep } from './json-input.js';

export { filterSchema, type Filter } from '../core/filters.js';

/**
 * Stores a validated filter and returns its ID. Clients upload the same filter on every
 * start, so an identical earlier upload's ID is returned instead of growing the table.
 */
export async function uploadFilter(db: D1Database, userId: string, filter: Filter): Promise<string> {
  const json = canonicalJson(filter, { strictNumbers: false });
  const existing = await filtersDb.findFilterIdByJson(db, userId, json);
  const id = existing ?? (await filtersDb.insertFilter(db, userId, json));
  return String(id);
}

// IDs are decimal integers; anything else (including "01") names no filter.
const FILTER_ID = /^(0|[1-9][0-9]{0,14})$/;

/** A user's filter by ID, or undefined if there is none with that ID. */
export async function getFilter(db: D1Database, userId: string, filterId: string): Promise<Filter | undefined> {
  if (!FILTER_ID.test(filterId)) return undefined;
  const json = await filtersDb.findFilter(db, userId, Number(filterId));
  return json === null ? undefined : (JSON.parse(json) as Filter);
}

export type ResolvedFilter =
  | { ok: true; filter: Filter }
  | { ok: false; kind: 'not-found' | 'not-json' | 'invalid'; message: string };

/**
 * Resolves a `filter` query parameter: "The ID of a filter created using the filter API or
 * a filter JSON object encoded as a string. The server will detect whether it is an ID or a
 * JSON object by whether the first character is a `{` open brace."
 */
export async function resolveFilterParam(db: D1Database, userId: string, param: string): Promise<ResolvedFilter> {
  if (!param.startsWith('{')) {
    const filter = await getFilter(db, userId, param);
    return filter ? { ok: true, filter } : { ok: false, kind: 'not-found', message: `No filter with ID ${param}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(param);
  } catch {
    return { ok: false, kind: 'not-json', message: 'The filter is not valid JSON' };
  }
  const tooDeep = bodyTooDeep(value);
  if (tooDeep) return { ok: false, kind: 'invalid', message: tooDeep };
  const parsed = parseFilter(value);
  if (parsed.ok) return parsed;
  return { ok: false, kind: 'invalid', message: `Invalid filter field '${parsed.field}': ${parsed.reason}` };
}

// The filter's `event_fields`: "List of event fields to include. If this list is absent then
// all fields are included. The entries are dot-separated paths for each property to include.
// So ['content.body'] will include the body field of the content object. A server may
// include more fields than were requested."
import { splitPropertyPath } from '../json/property-path.js';

type Json = Record<string, unknown>;

/** A copy of `event` holding only the listed paths (the event itself when `fields` is absent). */
export function applyEventFields<T extends object>(event: T, fields: readonly string[] | undefined): T {
  if (fields === undefined) return event;
  const out: Json = {};
  for (const field of fields) copyPath(event as Json, out, splitPropertyPath(field));
  return out as T;
}

function copyPath(from: Json, to: Json, path: readonly string[]): void {
  const [key, ...rest] = path;
  if (key === undefined || !Object.hasOwn(from, key)) return;
  const value = from[key];
  if (rest.length === 0) {
    to[key] = value;
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const existing = to[key];
  const target: Json = existing !== null && typeof existing === 'object' && !Array.isArray(existing) ? (existing as Json) : {};
  copyPath(value as Json, target, rest);
  // Only keep the parent when something under it was found.
  if (Object.keys(target).length > 0) to[key] = target;
}

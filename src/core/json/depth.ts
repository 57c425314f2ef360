// How deeply a JSON value nests. The spec sets no limit, but every walker of a value
// (structured clone between the Worker and a Durable Object, canonical JSON, redaction)
// recurses, and a few thousand levels exhaust the stack; other servers stop far earlier
// (serde_json, behind Conduit and Ruma, refuses a PDU nested more than 128 levels deep).

/** The deepest nesting accepted in an event's content or a filter (`{}` is one level). */
export const MAX_JSON_DEPTH = 100;

/** Whether `value` nests objects and arrays more than `max` levels deep. Iterative, so any depth is safe to ask about. */
export function exceedsJsonDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
}

// The policy for JSON that clients send: how deep it may nest. Every JSON body
// (src/http/body.ts) and every inline filter is held to it, so that nothing stored can later
// overflow the stack of a reader (structured clone to a Durable Object, canonical JSON,
// /sync). Event content has its own, lower limit (`MAX_JSON_DEPTH` in core/json/depth.ts, checked per field
// by the room services); this one is the backstop for everything else.
import { exceedsJsonDepth } from '../core/json/depth.js';

/** The deepest nesting of a whole request body or filter (serde_json's default, used by Conduit). */
export const MAX_BODY_DEPTH = 128;

/**
 * Undefined if `value` nests at most MAX_BODY_DEPTH levels, else a message naming the
 * top-level field that goes too deep (when the value is an object).
 */
export function bodyTooDeep(value: unknown): string | undefined {
  if (!exceedsJsonDepth(value, MAX_BODY_DEPTH)) return undefined;
  const limit = `nested more than ${MAX_BODY_DEPTH} levels deep`;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (exceedsJsonDepth(child, MAX_BODY_DEPTH - 1)) return `Invalid field '${key}': ${limit}`;
    }
  }
  return `The content is ${limit}`;
}

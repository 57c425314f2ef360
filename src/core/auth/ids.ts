// The identifier helpers the authorisation rules need, over core/ids (the one grammar).
import { isValidUserId as isGrammaticalUserId } from '../ids/index.js';

/** The part after the first `:` (`@alice:example.org:8448` → `example.org:8448`), or undefined. */
export function domainOf(id: string): string | undefined {
  const i = id.indexOf(':');
  return i < 0 ? undefined : id.slice(i + 1);
}

/** A user ID as the rules accept it in events (historical grammar, at most 255 bytes). */
export function isValidUserId(id: unknown): id is string {
  return typeof id === 'string' && isGrammaticalUserId(id);
}

// Dot-separated property paths (appendix "Dot-separated property paths"): `content.body`,
// with "any literal dot or backslash found in a property name ... escaped with a
// backslash". "Other escape sequences are left as-is, e.g. a `\x` would be treated as a
// literal backslash followed by 'x'."

/** Splits a property path into property names: `content.m\.relates_to` → `['content', 'm.relates_to']`. */
export function splitPropertyPath(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    const next = path[i + 1];
    if (ch === '\\' && (next === '.' || next === '\\')) {
      current += next;
      i++;
    } else if (ch === '.') {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** Escapes one property name for use in a path. */
export function escapePropertyName(name: string): string {
  return name.replace(/[\\.]/g, (c) => `\\${c}`);
}

/** Follows a property path into a JSON value; undefined when any step is missing or not an object. */
export function getByPropertyPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of splitPropertyPath(path)) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, key)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * A fast first reading of the manifest with js-yaml, which parses a manifest in a fraction of the
 * time the `yaml` package needs (that one keeps every node's position, which only problems need).
 * The schema resolves plain scalars exactly as the `yaml` package's YAML 1.2 core schema does, so a
 * manifest reads the same either way; anything unusual (directives, null keys, any parse error)
 * returns undefined and the caller reads the text again with the `yaml` package.
 */
import { FAILSAFE_SCHEMA, Type, load } from 'js-yaml';

const scalar = (tag: string, pattern: RegExp, construct: (text: string) => unknown) => new Type(`tag:yaml.org,2002:${tag}`, { kind: 'scalar', resolve: (text: string | null) => text !== null && pattern.test(text), construct });

// The `yaml` package's core-schema patterns (schema/core/*.js, schema/common/null.js), alternatives joined.
const CORE = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', /^(?:~|[Nn]ull|NULL)?$/, () => null),
    scalar('bool', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (text) => text[0] === 't' || text[0] === 'T'),
    scalar('int', /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/, (text) => (text.startsWith('0o') ? parseInt(text.slice(2), 8) : text.startsWith('0x') ? parseInt(text.slice(2), 16) : parseInt(text, 10))),
    scalar('float', /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/, (text) =>
      /nan$/i.test(text) ? NaN : /inf$/i.test(text) ? (text.startsWith('-') ? -Infinity : Infinity) : parseFloat(text),
    ),
  ],
});

/** The manifest's data, or undefined when only the full reader can say what it means. */
export function quickParse(text: string): unknown {
  // Directives, and aliases (which js-yaml expands without limit): the full reader decides. An
  // anchor alone changes nothing, and "&&" in a quoted command (`cd apps/api && npx prisma …`) is text.
  if (/^%/m.test(text) || /(?:^|[\s[{,])\*[^\s]/m.test(text)) return undefined;
  try {
    const data = load(text, { schema: CORE });
    return hasNullKey(data) ? undefined : data;
  } catch {
    return undefined;
  }
}

/** js-yaml turns a null key into "null", the yaml package into "". */
function hasNullKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasNullKey);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, item]) => key === 'null' || hasNullKey(item));
}

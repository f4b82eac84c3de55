// Masks the values of named fields, at any depth, in JSON text — by scanning, not parsing, so that everything
// else stays byte for byte as captured (number precision, key order, spacing) and so that a body cut short by the
// capture limit is still masked: a value that runs past the end is masked to the end. Text that does not start
// like JSON ({ or [) is left alone. Never throws.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const MASKED_JSON_VALUE = '"[REDACTED]"';

/**
 * `text` with the value of every key whose lowercased name is in `fields` replaced by "[REDACTED]" (objects and
 * arrays too, whole). Returns `text` itself when nothing was masked.
 */
export function maskJsonFields(text: string, fields: ReadonlySet<string>): string {
  const start = skipSpace(text, 0);
  const first = text.charCodeAt(start);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return text;
  const n = text.length;
  let out = '';
  let copied = 0;
  let i = start;
  while (i < n) {
    if (text.charCodeAt(i) !== QUOTE) {
      i++;
      continue;
    }
    const end = stringEnd(text, i);
    if (end < 0) break;
    const colon = skipSpace(text, end);
    if (text.charCodeAt(colon) !== COLON) {
      i = end;
      continue;
    }
    // A string followed by ':' can only be an object key.
    if (fields.has(keyName(text.slice(i + 1, end - 1)).toLowerCase())) {
      const valueStart = skipSpace(text, colon + 1);
      if (valueStart >= n) break;
      out += text.slice(copied, valueStart) + MASKED_JSON_VALUE;
      copied = valueEnd(text, valueStart);
      i = copied;
      continue;
    }
    i = colon + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

/** Index just past the closing quote of the string starting at `open`; -1 when the text ends first. */
function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

/** Index just past the value starting at `at`; the text's length when the value runs past the end. */
function valueEnd(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (c === QUOTE) {
    const end = stringEnd(text, at);
    return end < 0 ? text.length : end;
  }
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const d = text.charCodeAt(i);
      if (d === QUOTE) {
        const end = stringEnd(text, i);
        if (end < 0) return text.length;
        i = end - 1;
      } else if (d === OPEN_BRACE || d === OPEN_BRACKET) {
        depth++;
      } else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return text.length;
  }
  let i = at;
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d === 0x20 || d === 0x09 || d === 0x0a || d === 0x0d) break;
    i++;
  }
  return i;
}

/** The key as JSON decodes it (escapes such as \u0070 resolved), or as written when it does not decode. */
function keyName(raw: string): string {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

// Where the n-th character of a YAML string value sits in the file's text. A rule expression's error column
// counts characters of the parsed value; quotes, escapes (`\"`, `\u00e9`, `''`) and a block scalar's header
// move it in the source, so the column a user sees is found by walking the scalar's source text.
import type { Scalar } from 'yaml';

/** Characters of source and of value that one step over a double-quoted scalar covers. */
function doubleQuotedStep(source: string, i: number): [sourceChars: number, valueChars: number] {
  if (source[i] !== '\\') return [1, 1];
  const escape = source[i + 1];
  if (escape === 'x') return [4, 1];
  if (escape === 'u') return [6, 1];
  // \UXXXXXXXX names any code point: two UTF-16 units above U+FFFF.
  if (escape === 'U') return [10, Number.parseInt(source.slice(i + 2, i + 10), 16) > 0xffff ? 2 : 1];
  return [2, 1];
}

const singleQuotedStep = (source: string, i: number): [number, number] => (source.startsWith("''", i) ? [2, 1] : [1, 1]);

function walkQuoted(source: string, index: number, step: (source: string, i: number) => [number, number]): number | undefined {
  if (source.includes('\n')) return undefined;
  let i = 1;
  for (let seen = 0; seen < index && i < source.length - 1; ) {
    const [sourceChars, valueChars] = step(source, i);
    i += sourceChars;
    seen += valueChars;
  }
  return i;
}

/** A block scalar (`>-` or `|`) whose content is one line: that line, after the header and indentation. */
function blockOffset(source: string, value: string, index: number): number | undefined {
  const line = value.replace(/\n+$/, '');
  if (line.includes('\n')) return undefined;
  const content = /\n[ \t]*(?=\S)/.exec(source);
  if (content === null) return undefined;
  const start = content.index + content[0].length;
  return source.startsWith(line, start) ? start + Math.min(index, line.length) : undefined;
}

/**
 * The offset in `source` (the scalar's own text, from its range) of the value's character at `index`
 * (0-based; `value.length` is just past its end), or undefined when the value spans lines in the source.
 */
export function offsetInScalar(type: Scalar.Type | undefined, source: string, value: string, index: number): number | undefined {
  switch (type) {
    case 'PLAIN':
      return source === value && !value.includes('\n') ? Math.min(index, value.length) : undefined;
    case 'QUOTE_SINGLE':
      return walkQuoted(source, index, singleQuotedStep);
    case 'QUOTE_DOUBLE':
      return walkQuoted(source, index, doubleQuotedStep);
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED':
      return blockOffset(source, value, index);
    default:
      return undefined;
  }
}

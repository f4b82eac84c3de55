// Pretty-prints JSON text by re-indenting its tokens, not by parsing it: values stay exactly as captured (large
// numbers keep their digits) and a body cut short by the capture limit is still laid out up to where it ends.

const INDENT = '  ';

/** `text` laid out two spaces per level, one member per line. */
export function indentJson(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  let depth = 0;
  const newline = (): void => {
    if (line.trim() !== '') lines.push(line);
    line = INDENT.repeat(Math.max(0, depth));
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      line += text.slice(i, end + 1);
      i = end;
    } else if (c === '{' || c === '[') {
      const next = nextToken(text, i + 1);
      if (text[next] === (c === '{' ? '}' : ']')) {
        line += c + text[next];
        i = next;
      } else {
        line += c;
        depth++;
        newline();
      }
    } else if (c === '}' || c === ']') {
      depth--;
      newline();
      line += c;
    } else if (c === ',') {
      line += c;
      newline();
    } else if (c === ':') {
      line += ': ';
    } else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') {
      line += c;
    }
  }
  if (line.trim() !== '') lines.push(line);
  return lines;
}

function nextToken(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  return i;
}

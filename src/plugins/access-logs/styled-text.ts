// Console output as spans of text with a style, so that lines can be measured and wrapped on their visible text
// and coloured only at the end (or not at all when colours are off). Width is counted in code points: every
// character cleartap itself prints is one column wide; wide (CJK, emoji) characters in captured text may make a
// line look longer than it counts.

export type Color = 'green' | 'blue' | 'yellow' | 'red' | 'gray';

export interface Span {
  text: string;
  color?: Color;
  bold?: boolean;
}

const COLOR_CODES: Readonly<Record<Color, string>> = { green: '32', blue: '34', yellow: '33', red: '31', gray: '90' };
const RESET = '\x1b[0m';

export function span(text: string, color?: Color, bold?: boolean): Span {
  const s: Span = { text };
  if (color !== undefined) s.color = color;
  if (bold === true) s.bold = true;
  return s;
}

export function renderSpans(spans: readonly Span[], color: boolean): string {
  let out = '';
  for (const s of spans) {
    if (!color || (s.color === undefined && s.bold !== true)) {
      out += s.text;
      continue;
    }
    const codes = [s.bold === true ? '1' : '', s.color !== undefined ? COLOR_CODES[s.color] : ''].filter((c) => c !== '');
    out += `\x1b[${codes.join(';')}m${s.text}${RESET}`;
  }
  return out;
}

interface Cell {
  ch: string;
  style: Span;
}

/**
 * Splits `spans` into lines: the first at most `firstWidth` columns, the next at most `restWidth`. A line breaks
 * after its last space when that space is in its second half (the space is dropped), else exactly at the width.
 */
export function wrapSpans(spans: readonly Span[], firstWidth: number, restWidth: number): Span[][] {
  const cells: Cell[] = [];
  for (const s of spans) for (const ch of s.text) cells.push({ ch, style: s });
  const lines: Span[][] = [];
  let at = 0;
  while (at < cells.length || lines.length === 0) {
    const width = Math.max(1, lines.length === 0 ? firstWidth : restWidth);
    let end = Math.min(cells.length, at + width);
    let next = end;
    if (end < cells.length) {
      for (let i = end; i > at + width / 2; i--) {
        if (cells[i]!.ch === ' ') {
          end = i;
          next = i + 1;
          break;
        }
      }
    }
    lines.push(regroup(cells, at, end));
    at = next;
  }
  return lines;
}

function regroup(cells: readonly Cell[], from: number, to: number): Span[] {
  const out: Span[] = [];
  let last: Span | undefined;
  let current: Span | undefined;
  for (let i = from; i < to; i++) {
    const cell = cells[i]!;
    if (cell.style !== last || current === undefined) {
      current = { ...cell.style, text: '' };
      out.push(current);
      last = cell.style;
    }
    current.text += cell.ch;
  }
  return out;
}

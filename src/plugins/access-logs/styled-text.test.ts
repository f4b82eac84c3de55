import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSpans, span, wrapSpans } from './styled-text.ts';

const plain = (lines: ReturnType<typeof wrapSpans>) => lines.map((l) => renderSpans(l, false));

describe('wrapSpans', () => {
  it('breaks after the last space in the second half of the width, else at the width', () => {
    assert.deepEqual(plain(wrapSpans([span('aaaa bbbb cccc')], 10, 10)), ['aaaa bbbb', 'cccc']);
    assert.deepEqual(plain(wrapSpans([span('a bbbbbbbbbbbbbb')], 6, 6)), ['a bbbb', 'bbbbbb', 'bbbb']);
    assert.deepEqual(plain(wrapSpans([span('')], 6, 6)), ['']);
  });

  it('keeps each character\'s style across a break, and counts code points', () => {
    const lines = wrapSpans([span('■ ab', 'red'), span('cdef', undefined, true)], 4, 3);
    assert.deepEqual(lines, [
      [{ text: '■ ab', color: 'red' }],
      [{ text: 'cde', bold: true }],
      [{ text: 'f', bold: true }],
    ]);
  });

  it('renders ANSI only for styled spans, and only when colours are on', () => {
    const spans = [span('a', 'green'), span('b'), span('c', 'yellow', true)];
    assert.equal(renderSpans(spans, true), '\x1b[32ma\x1b[0mb\x1b[1;33mc\x1b[0m');
    assert.equal(renderSpans(spans, false), 'abc');
  });
});

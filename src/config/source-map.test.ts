import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineCounter, parseDocument } from 'yaml';
import { formatPath, pathFromPointer, SourceMap, type KeyPath } from './source-map.ts';

function mapOf(text: string): SourceMap {
  const lines = new LineCounter();
  return new SourceMap(parseDocument(text, { lineCounter: lines }), lines, text);
}

test('key paths are printed as a user writes them, and read from Ajv pointers', () => {
  assert.equal(formatPath(['tap', 'filters', 'custom', 0, 'exe']), 'tap.filters.custom[0].exe');
  assert.equal(formatPath([]), '(top level)');
  assert.deepEqual(pathFromPointer('/stacks/a~1b/plugins/0'), ['stacks', 'a/b', 'plugins', 0]);
  assert.deepEqual(pathFromPointer(''), []);
});

test('a value\'s position, its key\'s, and the closest parent\'s when the value is missing', () => {
  const map = mapOf('tap:\n  filters:\n    custom:\n      - exe: /usr/bin/curl\n');
  assert.deepEqual(map.position(['tap', 'filters', 'custom', 0, 'exe']), { line: 4, column: 14 });
  assert.deepEqual(map.position(['tap', 'filters'], true), { line: 2, column: 3 });
  assert.deepEqual(map.position(['tap', 'filters', 'custom', 0, 'strategy']), { line: 4, column: 9 });
  assert.deepEqual(map.position(['nowhere']), { line: 1, column: 1 });
});

test('a column inside a value follows quotes, escapes and block scalars, and falls back when the value spans lines', () => {
  const at = (yaml: string, column: number, path: KeyPath = ['e']) => mapOf(yaml).positionInValue(path, column);
  // Each case points at the 'X' of the value (column 4 of "ab X", or after an escape).
  const table: Array<[what: string, yaml: string, column: number, expected: { line: number; column: number }]> = [
    ['plain', 'e: ab X\n', 4, { line: 1, column: 7 }],
    ['plain with a comment after it', 'e: ab X  # note\n', 4, { line: 1, column: 7 }],
    ['double-quoted', 'e: "ab X"\n', 4, { line: 1, column: 8 }],
    ['double-quoted with escapes', 'e: "\\"\\u00e9 X"\n', 4, { line: 1, column: 14 }],
    ['double-quoted, code point above U+FFFF', 'e: "\\U0001F600 X"\n', 4, { line: 1, column: 16 }],
    ['single-quoted with a doubled quote', "e: 'a'' X'\n", 4, { line: 1, column: 9 }],
    ['folded block', 'e: >-\n  ab X\n', 4, { line: 2, column: 6 }],
    ['literal block', 'e: |\n    ab X\n', 4, { line: 2, column: 8 }],
    ['just past the end', 'e: ab\n', 3, { line: 1, column: 6 }],
    ['plain over two lines: the value\'s start', 'e: ab\n  X\n', 4, { line: 1, column: 4 }],
    ['folded over two lines: the value\'s start', 'e: >\n  ab\n  X\n', 4, { line: 1, column: 4 }],
    ['not a string: the value\'s start', 'e: 12\n', 2, { line: 1, column: 4 }],
  ];
  for (const [what, yaml, column, expected] of table) assert.deepEqual(at(yaml, column), expected, what);
});

// Where a value came from: a key path (["tap", "filters", "custom", 0, "exe"]) → file:line:column, through
// the YAML document's node ranges, so that every error points at the line a user has to fix.
import { isMap, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';
import { offsetInScalar } from './scalar-offset.ts';

export type KeyPath = ReadonlyArray<string | number>;

export interface Position {
  line: number;
  column: number;
}

/** "tap.filters.custom[0].exe" */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out || '(top level)';
}

/** Ajv's instancePath ("/tap/filters/custom/0/exe") as a key path. */
export function pathFromPointer(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

export class SourceMap {
  private readonly doc: Document;
  private readonly lines: LineCounter;
  private readonly text: string;

  /** `text` is what `doc` was parsed from, with `lines` counting its lines. */
  constructor(doc: Document, lines: LineCounter, text: string) {
    this.doc = doc;
    this.lines = lines;
    this.text = text;
  }

  private at(offset: number): Position {
    const p = this.lines.linePos(offset);
    return { line: p.line, column: p.col };
  }

  /** The value's position; for a missing value, its closest existing parent's. `key: true` points at the key itself. */
  position(path: KeyPath, key = false): Position {
    let node: unknown = this.doc.contents;
    let pos: Position = { line: 1, column: 1 };
    if (node && (node as Node).range) pos = this.at((node as Node).range![0]);
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((it) => (isScalar(it.key) ? it.key.value : it.key) === part);
        if (!pair) return pos;
        const keyNode = pair.key as Node | null;
        if (key && part === path[path.length - 1] && keyNode?.range) return this.at(keyNode.range[0]);
        node = pair.value;
        const range = (node as Node | null)?.range ?? keyNode?.range;
        if (range) pos = this.at(range[0]);
      } else if (isSeq(node) && typeof part === 'number') {
        node = node.items[part];
        const range = (node as Node | null)?.range;
        if (range) pos = this.at(range[0]);
      } else {
        return pos;
      }
    }
    return pos;
  }

  /** The position of a string value's character (1-based `columnInValue`, as a rule error gives it); the value's
   * own position when it spans lines in the file. */
  positionInValue(path: KeyPath, columnInValue: number): Position {
    const node = this.doc.getIn(path as Array<string | number>, true);
    if (isScalar(node) && typeof node.value === 'string' && node.range) {
      const [start, end] = node.range;
      const offset = offsetInScalar(node.type, this.text.slice(start, end), node.value, Math.max(columnInValue, 1) - 1);
      if (offset !== undefined) return this.at(start + offset);
    }
    return this.position(path);
  }
}

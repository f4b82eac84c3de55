// Unified diff of two texts by line (Myers' O(ND) algorithm on what remains after the common head and tail),
// in the format of `diff -u`: `---`/`+++` labels, `@@ -a,b +c,d @@` hunks with three lines of context, and
// "\ No newline at end of file" where a text ends without one. Config documents are small and edits local, so
// the search stays short; past MAX_EDITS the middle is reported as replaced whole rather than searched further.

const CONTEXT = 3;
const MAX_EDITS = 2000;

type Op = ' ' | '-' | '+';
interface Edit {
  op: Op;
  line: string;
}

/** Lines with their terminators, so that a missing final newline is a difference like any other. */
function linesOf(text: string): string[] {
  if (text === '') return [];
  return text.split(/(?<=\n)/);
}

/** The shortest edit script from a to b (Myers), or undefined when it needs more than MAX_EDITS edits. */
function myers(a: readonly string[], b: readonly string[]): Edit[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  // v[offset + k]: the furthest x on diagonal k. Within a round k moves in steps of 2, so the k±1 entries read
  // are still the previous round's; trace[d] is v as round d found it, which is what backtracking needs.
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace, offset);
    }
  }
  return undefined;
}

function backtrack(a: readonly string[], b: readonly string[], trace: readonly Int32Array[], offset: number): Edit[] {
  const edits: Edit[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : v[offset + prevK];
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      edits.push({ op: ' ', line: a[x - 1] });
      x--;
      y--;
    }
    if (d === 0) break;
    if (x === prevX) edits.push({ op: '+', line: b[--y] });
    else edits.push({ op: '-', line: a[--x] });
  }
  return edits.reverse();
}

function editScript(a: readonly string[], b: readonly string[]): Edit[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const middle = myers(midA, midB) ?? [...midA.map((line): Edit => ({ op: '-', line })), ...midB.map((line): Edit => ({ op: '+', line }))];
  return [
    ...a.slice(0, head).map((line): Edit => ({ op: ' ', line })),
    ...middle,
    ...a.slice(a.length - tail).map((line): Edit => ({ op: ' ', line })),
  ];
}

const range = (start: number, count: number): string => (count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`);

function printLine(op: Op, line: string): string {
  return line.endsWith('\n') ? `${op}${line}` : `${op}${line}\n\\ No newline at end of file\n`;
}

/** `diff -u` of a and b; '' when they are equal. */
export function unifiedDiff(a: string, b: string, labels: { from: string; to: string }): string {
  if (a === b) return '';
  const edits = editScript(linesOf(a), linesOf(b));
  const changed = edits.flatMap((e, i) => (e.op === ' ' ? [] : [i]));
  const out = [`--- ${labels.from}\n`, `+++ ${labels.to}\n`];
  let i = 0;
  while (i < changed.length) {
    const start = Math.max(0, changed[i] - CONTEXT);
    let end = changed[i] + 1;
    while (i < changed.length && changed[i] - CONTEXT <= end + CONTEXT) end = changed[i++] + 1;
    end = Math.min(edits.length, end + CONTEXT);
    let oldLine = 1;
    let newLine = 1;
    for (let j = 0; j < start; j++) {
      if (edits[j].op !== '+') oldLine++;
      if (edits[j].op !== '-') newLine++;
    }
    const body = edits.slice(start, end);
    const oldCount = body.filter((e) => e.op !== '+').length;
    const newCount = body.filter((e) => e.op !== '-').length;
    out.push(`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@\n`, ...body.map((e) => printLine(e.op, e.line)));
  }
  return out.join('');
}

// The diff is checked against what it claims: applying it with GNU patch turns the old text into the new one,
// for hand-written cases and a seeded stream of random edits; and its hunks read like `diff -u`'s.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unifiedDiff } from './unified-diff.ts';

function hasPatch(): boolean {
  try {
    execFileSync('patch', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function applies(a: string, b: string, dir: string): void {
  const diff = unifiedDiff(a, b, { from: 'a', to: 'b' });
  const file = join(dir, 'f');
  writeFileSync(file, a);
  writeFileSync(join(dir, 'p'), diff);
  execFileSync('patch', ['-s', '-f', file, join(dir, 'p')], { stdio: 'pipe' });
  assert.equal(readFileSync(file, 'utf8'), b, diff);
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('unifiedDiff', () => {
  it('prints hunks as diff -u does', () => {
    const a = 'version: 2\ntap:\n  direction: egress\n  ignore_loopback: true\nstacks: {}\n';
    const b = 'version: 2\ntap:\n  direction: all\n  ignore_loopback: true\nstacks: {}\n';
    assert.equal(
      unifiedDiff(a, b, { from: 'v1', to: 'v2' }),
      '--- v1\n+++ v2\n@@ -1,5 +1,5 @@\n version: 2\n tap:\n-  direction: egress\n+  direction: all\n   ignore_loopback: true\n stacks: {}\n',
    );
    assert.equal(unifiedDiff(a, a, { from: 'v1', to: 'v1' }), '');
    assert.match(unifiedDiff('x', 'y\n', { from: 'a', to: 'b' }), /-x\n\\ No newline at end of file\n\+y\n$/);
    assert.equal(unifiedDiff('', 'a\n', { from: 'a', to: 'b' }), '--- a\n+++ b\n@@ -0,0 +1 @@\n+a\n');
  });

  it('far-apart changes get separate hunks', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}\n`);
    const b = [...lines];
    b[2] = 'changed 2\n';
    b[25] = 'changed 25\n';
    const diff = unifiedDiff(lines.join(''), b.join(''), { from: 'a', to: 'b' });
    assert.deepEqual(diff.match(/^@@ .* @@$/gm), ['@@ -1,6 +1,6 @@', '@@ -23,7 +23,7 @@']);
  });

  it('GNU patch turns the old text into the new one (hand cases and 300 seeded random edits)', { skip: !hasPatch() }, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cleartap-diff-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    applies('a\nb\nc\n', 'a\nc\n', dir);
    applies('a\nb\nc\n', 'x\ny\n', dir);
    applies('a\nb', 'a\nb\n', dir);
    applies('a\nb\n', 'a\nb', dir);
    const random = rng(9);
    const words = ['alpha', 'beta', 'gamma', 'delta', '  key: value', '- item', ''];
    for (let round = 0; round < 300; round++) {
      const a = Array.from({ length: Math.floor(random() * 40) }, () => words[Math.floor(random() * words.length)]);
      const b = [...a];
      for (let e = Math.floor(random() * 6); e > 0; e--) {
        const at = Math.floor(random() * (b.length + 1));
        const r = random();
        if (r < 0.4) b.splice(at, 1);
        else if (r < 0.8) b.splice(at, 0, words[Math.floor(random() * words.length)]);
        else b[at] = `changed ${round}`;
      }
      const text = (l: string[]) => (l.length === 0 ? '' : `${l.join('\n')}${random() < 0.2 ? '' : '\n'}`);
      applies(text(a), text(b), dir);
    }
  });
});

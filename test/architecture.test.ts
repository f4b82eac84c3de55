// Data and imports flow one way (style.md): each src/ folder may import only the folders listed
// here. A new arrow is a design decision — add it here, with the reason, or restructure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  protocols: ['core'],
  context: ['core'],
  capture: ['core'],
  // The tracker implements capture's record handler and reads its wire constants.
  stream: ['core', 'protocols', 'capture'],
  sinks: ['core'],
  rules: ['core'],
  // Config validation checks rule expressions at load, so errors point at the YAML line and column.
  config: ['core', 'rules'],
  // Plugins render through the sinks' record formats and compile their rules.
  plugins: ['core', 'rules', 'sinks'],
  discovery: ['core'],
  // tap/ turns filters into the kernel's skip bits (capture/wire.ts constants).
  tap: ['core', 'capture'],
  pipeline: ['core', 'capture', 'context', 'stream', 'protocols', 'sinks', 'config', 'rules', 'plugins', 'discovery', 'tap'],
  // The control plane reads the local store (sinks' query side), the inventory (discovery), and validates agent
  // configs with the agent's own validator (config).
  server: ['core', 'config', 'sinks', 'discovery'],
  cli: ['core', 'capture', 'pipeline', 'sinks', 'config', 'rules', 'plugins', 'discovery', 'tap', 'server'],
};

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.bench.ts')) yield path;
  }
}

const topFolder = (path: string) => relative(SRC, path).split(sep)[0];

test('src/ folders import only what the architecture allows', () => {
  const violations: string[] = [];
  const folders = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const from = topFolder(file);
    folders.add(from);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm)) {
      const target = resolve(dirname(file), m[1]);
      if (!target.startsWith(SRC + sep)) {
        violations.push(`${relative(SRC, file)} imports ${m[1]}, outside src/`);
        continue;
      }
      const to = topFolder(target);
      if (to !== from && !(ALLOWED[from] ?? []).includes(to)) violations.push(`${relative(SRC, file)} → ${to} (${m[1]})`);
    }
  }
  assert.deepEqual([...folders].filter((f) => !(f in ALLOWED)), [], 'every src/ folder has a rule');
  assert.deepEqual(violations, []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../core/logger.ts';
import { getJsonTx } from '../sinks/stdout/fixtures.ts';
import { LiveDiscovery } from './live-discovery.ts';

test('the live inventory is written at stop, one document per server and the index; nothing new, nothing rewritten', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'cleartap-live-discovery-')), 'discovery');
  const live = new LiveDiscovery(dir, createLogger('silent'), 3_600_000);
  live.start();
  for (let i = 0; i < 5; i++) live.add({ ...getJsonTx(), id: `t${i}` });
  await live.stop();
  const files = readdirSync(dir).sort();
  assert.deepEqual(files.filter((f) => !f.startsWith('.')), files, 'no temporary files left');
  assert.ok(files.includes('inventory.json'));
  const doc = files.find((f) => f.endsWith('.openapi.json'))!;
  const spec = JSON.parse(readFileSync(join(dir, doc), 'utf8')) as { openapi: string; paths: Record<string, unknown> };
  assert.match(spec.openapi, /^3\.1/);
  assert.ok(Object.keys(spec.paths).length > 0);
  await live.write(); // nothing added since: no write, no error
});

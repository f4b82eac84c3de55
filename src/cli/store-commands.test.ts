import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { createEventStore, createObjectStore } from '../sinks/index.ts';
import { memoryLog, requestEvent, tempDir, transactionArtifact } from '../sinks/test-support.ts';
import { addStoreCommands } from './store-commands.ts';

async function run(dir: string, args: string[], now = Date.UTC(2026, 0, 1, 0, 1, 0)): Promise<string> {
  let text = '';
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  addStoreCommands(program, { defaultDir: () => dir, out: { write: (s) => void (text += s) }, now: () => now });
  await program.parseAsync(['node', 'cleartap', ...args]);
  return text;
}

describe('cleartap query / show', () => {
  let dir = '';
  after(() => rmSync(dir, { recursive: true, force: true }));
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cleartap-query-'));
    const log = memoryLog().log;
    const objects = createObjectStore({ type: 'local' }, { log, dataDir: dir });
    const events = createEventStore({ type: 'local' }, { log, dataDir: dir });
    for (const [n, host, status] of [[1, 'api.example.com', 200], [2, 'api.example.com', 502], [3, 'login.example.org', 401]] as const) {
      objects.put(transactionArtifact(n, { host, status, exe: n === 3 ? '/usr/bin/python3' : '/usr/bin/curl' }));
      events.submit(requestEvent(n, { host, status }));
    }
    await Promise.all([objects.whenDelivered(5000), events.whenDelivered(5000)]);
    await Promise.all([objects.close(), events.close()]);
  });

  it('lists newest first as a table', async () => {
    const lines = (await run(dir, ['query'])).trimEnd().split('\n');
    assert.match(lines[0], /^TIME\s+STATUS\s+METHOD\s+HOST\s+PATH\s+PROCESS\s+DURATION\s+ID$/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/).at(-1)), ['tx-3', 'tx-2', 'tx-1']);
    assert.match(lines[1], /python3\[1003\]/);
  });

  it('filters, and prints JSON lines with --json', async () => {
    const rows = (await run(dir, ['query', '--host', 'api.example.com', '--status', '5xx', '--json'])).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => r.id), ['tx-2']);
    assert.equal(rows[0].status, 502);
    assert.equal((await run(dir, ['query', '--process', 'python3', '--json'])).trim().split('\n').length, 1);
    // "now" is 00:01:00; transactions are at 00:00:01..03: --since 58s leaves those from 00:00:02 on.
    assert.deepEqual((await run(dir, ['query', '--since', '58s', '--json'])).trim().split('\n').map((l) => JSON.parse(l).id), ['tx-3', 'tx-2']);
    assert.equal(await run(dir, ['query', '--host', 'nowhere.test']), 'no transactions match\n');
  });

  it('shows one transaction with its event and its object', async () => {
    const text = await run(dir, ['show', 'tx-2']);
    assert.match(text, /^Transaction tx-2$/m);
    assert.match(text, /Status {6}502/);
    assert.match(text, /Process {5}\/usr\/bin\/curl \(pid 1002\)/);
    assert.match(text, /Events \(1\)\n {2}request/);
    assert.match(text, /"authority":"api.example.com"/);
    const json = JSON.parse(await run(dir, ['show', 'tx-2', '--json']));
    assert.equal(json.objects[0].type, 'http_transaction');
    assert.equal(JSON.parse(json.objects[0].text).response.status, 502);
  });

  it('an unknown id, a bad status or a bad time is a usage error', async () => {
    await assert.rejects(run(dir, ['show', 'tx-404']), { code: 'CT_ERR_USAGE' });
    await assert.rejects(run(dir, ['query', '--status', 'oops']), { code: 'CT_ERR_USAGE' });
    await assert.rejects(run(dir, ['query', '--since', 'yesterday-ish']), { code: 'commander.invalidArgument' });
  });

  it('a directory without a local store is a clear config error', async (t) => {
    await assert.rejects(run(tempDir(t), ['query']), { code: 'CT_ERR_CONFIG' });
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { countCaptured, startAgent } from './agent.ts';

const rec = (url: string, exe: string, direction: string): string =>
  JSON.stringify({ metadata: { process_exe: exe }, request: { method: 'GET', url }, direction });

describe('agent harness', () => {
  it('counts records whose request URL ends with the path, by side; other lines are counted apart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ct-agent-test-'));
    try {
      const file = join(dir, 'out.jsonl');
      await writeFile(
        file,
        [
          rec('https://127.0.0.1:4443/1k', '/usr/sbin/nginx', 'ingress'),
          rec('https://127.0.0.1:4443/1k', '/usr/bin/wrk', 'egress'),
          rec('https://127.0.0.1:4443/1k', '/usr/sbin/nginx', 'ingress'),
          rec('https://127.0.0.1:4443/32k', '/usr/sbin/nginx', 'ingress'),
          'cleartap: capturing',
          '',
        ].join('\n'),
      );
      assert.deepEqual(await countCaptured(file, '/1k'), {
        matched: 3,
        bySide: { 'nginx ingress': 2, 'wrk egress': 1 },
        otherLines: 1,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an agent that exits without the readiness line is reported with its stderr', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ct-agent-test-'));
    try {
      await assert.rejects(
        startAgent(`${process.execPath} -e "console.error('no such probe'); process.exit(3)"`, join(dir, 'o'), 10_000),
        /exited \(code 3, signal null\) before printing a line matching \/capturing\/i.*\n.*no such probe/s,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an agent that never gets ready is killed after the timeout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ct-agent-test-'));
    try {
      const t0 = Date.now();
      await assert.rejects(
        startAgent(`${process.execPath} -e "setTimeout(() => {}, 60000)"`, join(dir, 'o'), 500),
        /no line matching \/capturing\/i within 0.5 s/,
      );
      assert.ok(Date.now() - t0 < 5000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a ready agent is measured and stopped with SIGINT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ct-agent-test-'));
    try {
      // The handler first, then the readiness line: a SIGINT right after "capturing" must find it.
      const script = [
        "process.on('SIGINT', () => { console.log(JSON.stringify({ request: { url: 'https://h/1k' } })); process.exit(0); });",
        "console.error('test agent: capturing');",
        'setInterval(() => {}, 1000);',
      ].join(' ');
      const agent = await startAgent(`${process.execPath} -e "${script}"`, join(dir, 'out.jsonl'), 10_000);
      assert.match(agent.readyLine, /capturing/);
      const meter = agent.meterCpu();
      assert.ok(agent.peakRssKiB() > 1024);
      assert.ok(meter.stop().cpuFraction >= 0); // read while the agent still runs, as the bench does
      const exit = await agent.stop(5000);
      assert.deepEqual([exit.code, exit.signal], [0, null]);
      assert.equal((await countCaptured(agent.outputFile, '/1k')).matched, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

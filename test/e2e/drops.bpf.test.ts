// Nothing is lost silently: when the agent cannot keep up, the kernel counts what did not fit in the
// ring buffer and the affected transactions carry their gaps.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentProcess, onPort } from '../helpers/agent.ts';
import { run, stopAll } from '../helpers/children.ts';
import { startPythonHttpServer } from '../helpers/servers.ts';

after(stopAll);

test('a ring buffer overflow is counted and shows as gap bytes, never as silently missing data', async () => {
  const page = 'y'.repeat(256 * 1024);
  const { port } = await startPythonHttpServer({ 'big.txt': page });
  const agent = await AgentProcess.start(['--ring-mb', '1']);
  try {
    // Freeze the agent so the 1 MiB ring fills up while clients fetch 20 × 256 KiB.
    agent.signal('SIGSTOP');
    for (let i = 0; i < 20; i++) {
      const r = await run('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${port}/big.txt`]);
      assert.equal(r.code, 0);
    }
    agent.signal('SIGCONT');
    const txs = await agent.expect((t) => onPort(port)(t) && t.direction.startsWith('egress'), 1, 15_000);
    // Whatever was printed is honest: a transaction that lost bytes carries them as gap bytes (and its
    // sizes stay exact), or says it is incomplete; one whose every record was lost is only in the counters.
    for (const t of txs) {
      // Sizes stay exact across gaps; only when even the close record was lost is the message cut short,
      // and then it says so.
      if (t.response?.status === 200 && t.cleartap?.incomplete !== true) assert.equal(t.cleartap?.response_body_size, page.length);
    }
  } finally {
    assert.equal(await agent.stop(), 0);
  }
  const summary = /"kernel":\{[^}]*"ringbufFull":(\d+)/.exec(agent.stderr);
  assert.ok(summary, `the exit summary lists the kernel counters:\n${agent.stderr.slice(-2000)}`);
  assert.ok(Number(summary[1]) > 0, 'records that did not fit were counted');
});

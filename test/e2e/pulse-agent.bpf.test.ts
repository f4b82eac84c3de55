// A real agent whose event store is `pulse`, pointed at a real `cleartap serve`: curl's request to a local HTTP
// server is captured, its Request event goes through the agent's spool to the ingest route, and the server's
// transaction API lists it under the agent's name (metadata only: the query-string values are gone).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from '../helpers/agent.ts';
import { run, stopAll } from '../helpers/children.ts';
import { startPythonHttpServer, tempDir } from '../helpers/servers.ts';
import { eventually, startHarness } from './server-fixture.ts';

const TOKEN_ENV = 'CLEARTAP_TEST_PULSE_TOKEN';
let harness: Awaited<ReturnType<typeof startHarness>>;
let agent: AgentProcess;
let web: { port: number };

before(async () => {
  harness = await startHarness();
  const enrollment = await harness.json<{ secret: string }>('/api/v1/agents/enrollment-tokens', { method: 'POST', role: 'admin', body: { name: 'pulse hosts' } });
  const reg = await harness.json<{ token: string }>('/api/v1/agents/register', { method: 'POST', token: enrollment.body.secret, body: { name: 'pulse-host' } });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  process.env[TOKEN_ENV] = reg.body.token;
  web = await startPythonHttpServer({ 'hello.txt': 'hello\n' });
  const config = join(tempDir('pulse-agent'), 'config.yaml');
  writeFileSync(
    config,
    `version: 2
services:
  event_stores:
    - type: pulse
      url: ${harness.url}
      allow_insecure: true
      token: { type: env, value: ${TOKEN_ENV} }
  object_stores: [{ type: stdout }]
stacks:
  s:
    plugins:
      - type: http_capture
        config: { level: summary, format: json }
      - type: report_usage
tap:
  direction: egress
  ignore_loopback: false
  http: { stack: s }
  filters:
    groups: [qpoint]
    custom:
      - exe: ${realpathSync(process.execPath)}
        strategy: exact
`,
  );
  agent = await AgentProcess.startWith(['--config', config, '--log-level', 'info']);
});

after(async () => {
  const code = await agent?.stop();
  await stopAll();
  await harness?.close();
  delete process.env[TOKEN_ENV];
  assert.equal(code, 0, agent?.stderr.slice(-2000));
});

test("curl's request reaches the server through the agent's pulse event store, under the agent's name", async () => {
  const r = await run('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${web.port}/hello.txt?session=s3cr3t`]);
  assert.equal(r.code, 0, r.stderr);
  type Summary = { url: string; status: number; method: string; agentName: string | null; agentId: string | null };
  const found = await eventually(
    async () => {
      const list = await harness.json<{ items: Summary[] }>('/api/v1/transactions?agent=pulse-host&limit=100', { role: 'viewer' });
      return list.body.items.find((t) => t.url.includes(`:${web.port}/hello.txt`));
    },
    20_000,
    `the transaction at the server (agent stderr: ${agent.stderr.slice(-1500)})`,
  );
  assert.equal(found.url, `http://127.0.0.1:${web.port}/hello.txt?session=`);
  assert.deepEqual([found.method, found.status, found.agentName], ['GET', 200, 'pulse-host']);
});

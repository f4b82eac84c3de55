// A real agent managed by a real `cleartap serve`: it registers (enrollment token → agent token), reports its
// status (probes attached), takes a config version an editor rolls out, writes it over its config file,
// reloads, and reports the version applied.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from '../helpers/agent.ts';
import { stopAll, waitUntil } from '../helpers/children.ts';
import { tempDir } from '../helpers/servers.ts';
import { eventually, startHarness } from './server-fixture.ts';

const CONFIG_V0 = `version: 2
services: { event_stores: [{ type: stdout }], object_stores: [{ type: stdout }] }
stacks: { s: { plugins: [{ type: http_capture, config: { level: summary } }] } }
tap: { direction: egress, http: { stack: s } }
`;

let harness: Awaited<ReturnType<typeof startHarness>>;
let agent: AgentProcess;
let agentId = '';
let configFile = '';

interface AgentView { status: { probes: Array<{ library: string; attached: boolean }>; config?: { version: number; state: string; error?: string } } | null; config: { version: number; state: string } | null }

before(async () => {
  harness = await startHarness();
  const enrollment = await harness.json<{ secret: string }>('/api/v1/agents/enrollment-tokens', { method: 'POST', role: 'admin', body: { name: 'test hosts' } });
  assert.equal(enrollment.status, 201);
  const reg = await harness.json<{ agent: { id: string }; token: string }>('/api/v1/agents/register', { method: 'POST', token: enrollment.body.secret, body: { name: 'host-under-test' } });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  agentId = reg.body.agent.id;
  configFile = join(tempDir('control'), 'config.yaml');
  writeFileSync(configFile, CONFIG_V0);
  process.env.CLEARTAP_CONTROL_INTERVAL_MS = '300';
  agent = await AgentProcess.startWith(['--config', configFile, '--control-url', harness.url, '--control-token', reg.body.token]);
});

after(async () => {
  const code = await agent?.stop();
  await stopAll();
  await harness?.close();
  assert.equal(code, 0, agent?.stderr.slice(-2000));
});

const view = async () => (await harness.json<AgentView>(`/api/v1/agents/${agentId}`, { role: 'viewer' })).body;

test('the agent reports its status: its TLS probes', async () => {
  const v = await eventually(async () => ((await view()).status?.probes.length ?? 0) > 0 ? view() : undefined, 10_000, 'a status report');
  assert.ok(v.status!.probes.some((p) => p.library === 'openssl' && p.attached), JSON.stringify(v.status!.probes.slice(0, 3)));
});

test('a rolled-out version is written over the config file, reloaded and reported applied', async () => {
  const yaml = CONFIG_V0.replace('direction: egress', 'direction: all');
  const saved = await harness.json<{ version: number }>('/api/v1/config/versions', { method: 'POST', role: 'editor', body: { yaml, comment: 'capture both directions' } });
  assert.equal(saved.status, 201, JSON.stringify(saved.body));
  const rolled = await harness.json('/api/v1/config/rollouts', { method: 'POST', role: 'editor', body: { version: saved.body.version } });
  assert.equal(rolled.status, 201, JSON.stringify(rolled.body));
  await waitUntil(() => (readFileSync(configFile, 'utf8') === yaml ? true : undefined), 'the config file rewritten');
  await waitUntil(() => (/config reloaded/.test(agent.stderr) ? true : undefined), 'the agent to reload');
  const v = await eventually(async () => { const x = await view(); return x.status?.config?.state === 'applied' ? x : undefined; }, 10_000, 'applied reported');
  assert.deepEqual(v.status!.config, { version: saved.body.version, state: 'applied' });
});

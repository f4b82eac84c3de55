import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Transaction } from '../core/transaction.ts';
import { parseConfig } from '../config/index.ts';
import { failingGetTx, postOrderTx, testServices } from '../plugins/test-support.ts';
import { SKIP_NOTHING, type ProcessSkip } from '../tap/index.ts';
import { needsBodies, tagsOf, tapSettingsOf } from './config-settings.ts';
import { TapPipeline } from './tap-pipeline.ts';

const SKIP_ALL: ProcessSkip = { data: true, dns: true, tls: true, http: true };

const CONFIG = `
version: 2
rulekit:
  macros:
    - name: is_error
      expr: http.res.status >= 500
stacks:
  main:
    plugins:
      - type: http_capture
        config:
          level: summary
          rules:
            - name: errors in full
              expr: is_error()
              level: full
  quiet:
    plugins:
      - type: http_capture
        config: { level: none }
tap:
  direction: egress
  ignore_loopback: true
  http: { stack: main }
  endpoints:
    - domain: "*.internal"
      http: { stack: quiet }
    - domain: api.example.com
      http: { stack: none }
`;

function withHost(tx: Transaction, host: string, remote = '93.184.216.34'): Transaction {
  return { ...tx, host, remote: { address: remote, port: 443 } };
}

async function pipeline(yaml = CONFIG, skip: (pid: number | undefined) => ProcessSkip = () => SKIP_NOTHING) {
  const services = testServices();
  const p = await TapPipeline.create(tapSettingsOf(parseConfig(yaml, 'x.yaml').config), services, skip);
  const printed = () => services.objectStore.artifacts.map((a) => JSON.parse(Buffer.from(a.data).toString()) as { request: { url: string }; response?: { body?: string } });
  return { p, printed, services };
}

test('routing: endpoint stacks by domain, tap.http.stack otherwise, "none" drops; rules compiled with macros pick the level', async () => {
  const { p, printed } = await pipeline();
  const ok = withHost(postOrderTx(), 'shop.example.org');
  const failing = withHost(failingGetTx(), 'shop.example.org');
  await p.write([ok, failing, withHost(postOrderTx(), 'db.internal'), withHost(postOrderTx(), 'api.example.com')]);
  const out = printed();
  assert.equal(out.length, 2, 'quiet prints nothing; "none" routes nowhere');
  assert.equal(out[0].response?.body, undefined, 'summary');
  assert.equal(out[1].response !== undefined, true);
  assert.deepEqual({ ...p.counters }, { transactions: 4, filtered_process: 0, filtered_direction: 0, filtered_loopback: 0, no_stack: 1, processed: 3, dns_reported: 0, dns_not_audited: 0 });
  assert.deepEqual(p.stacks, { main: ['http_capture'], quiet: ['http_capture'] });
  await p.close();
});

test('filters: ignored processes, direction and loopback are dropped and counted', async () => {
  const { p, printed } = await pipeline(CONFIG, (pid) => (pid === 77 ? SKIP_ALL : SKIP_NOTHING));
  const ingress: Transaction = { ...withHost(postOrderTx(), 'x.org'), direction: 'ingress' };
  const loopback = withHost(postOrderTx(), 'localhost', '127.0.0.1');
  const ignored = withHost(failingGetTx(), 'x.org'); // pid 77
  await p.write([ingress, loopback, ignored, withHost(postOrderTx(), 'x.org')]);
  assert.equal(printed().length, 1);
  assert.deepEqual({ ...p.counters }, { transactions: 4, filtered_process: 1, filtered_direction: 1, filtered_loopback: 1, no_stack: 0, processed: 1, dns_reported: 0, dns_not_audited: 0 });
  await p.close();
});

test('reload swaps the routing between batches; a config whose stack cannot load leaves the old one in force', async () => {
  const { p, printed } = await pipeline();
  await p.reload(tapSettingsOf(parseConfig(CONFIG.replace('level: summary', 'level: full'), 'x.yaml').config));
  await p.write([withHost(postOrderTx(), 'shop.example.org')]);
  assert.ok(printed()[0].response?.body, 'the new level applies');
  const broken = tapSettingsOf(parseConfig('stacks: {s: {plugins: [{type: ./does-not-exist.ts}]}}\ntap: {http: {stack: s}}\n', 'x.yaml').config);
  await assert.rejects(p.reload(broken), { code: 'CT_ERR_PLUGIN' });
  await p.write([withHost(postOrderTx(), 'shop.example.org')]);
  assert.equal(printed().length, 2, 'still printing with the previous config');
  await p.close();
});

test('bodies are copied only when a routed stack can show them', () => {
  const settings = (yaml: string) => tapSettingsOf(parseConfig(yaml, 'x.yaml').config);
  assert.equal(needsBodies(settings(CONFIG)), true, 'a rule raises the level to full');
  assert.equal(needsBodies(settings(CONFIG.replace('level: full', 'level: details'))), false);
  assert.equal(needsBodies(settings('stacks: {s: {plugins: [{type: access_logs, config: {mode: full}}]}}\ntap: {http: {stack: s}}\n')), true);
  assert.equal(needsBodies(settings('stacks: {s: {plugins: [{type: access_logs, config: {mode: full}}]}}\ntap: {http: {stack: none}}\n')), false, 'unrouted stacks do not count');
  assert.equal(needsBodies(settings('stacks: {s: {plugins: [{type: ./mine.ts}]}}\ntap: {http: {stack: s}}\n')), true, 'user plugins may read bodies');
  assert.equal(needsBodies(settings('stacks: {s: {plugins: [{type: detect_errors, config: {rules: [{triggerStatusCodes: ["5xx"]}]}}]}}\ntap: {http: {stack: s}}\n')), false);
  assert.equal(needsBodies(settings('stacks: {s: {plugins: [{type: detect_errors, config: {rules: [{recordResBody: true}]}}]}}\ntap: {http: {stack: s}}\n')), true);
});

test('tags: env sources become "key:value" on every view and in the rule fields; other sources are reported', async () => {
  const yaml = `
tags:
  - { key: env, source: env, location: DEPLOY_ENV }
  - { key: team, source: env, location: UNSET_VAR }
  - { key: app, source: k8s.label, location: app }
stacks: { s: { plugins: [{ type: report_usage }] } }
tap: { direction: all, http: { stack: s } }
`;
  const config = parseConfig(yaml, 'x.yaml').config;
  assert.deepEqual(tagsOf(config, { DEPLOY_ENV: 'prod' }), { tags: ['env:prod'], unavailable: ['app (k8s.label)'] });
  const services = testServices();
  const p = await TapPipeline.create(tapSettingsOf(config, { DEPLOY_ENV: 'prod' }), services, () => SKIP_NOTHING);
  await p.write([postOrderTx()]);
  const [event] = services.eventStore.events;
  assert.deepEqual((event.item as { tags: string[] }).tags, ['env:prod']);
  await p.close();
});

test('DNS lookups become events only with audit_include_dns, and not for processes that skip dns', async () => {
  const lookup = (pid: number) => ({ time: 0, name: 'api.example.com', type: 'A', rcode: 'NOERROR', answers: ['93.184.216.34'], server: { address: '10.0.0.2', port: 53 }, process: { ...postOrderTx().process!, pid } });
  const off = await pipeline();
  off.p.writeDns([lookup(1)]);
  assert.equal(off.services.eventStore.events.length, 0);
  assert.equal(off.p.counters.dns_not_audited, 1);
  const on = await pipeline(CONFIG.replace('ignore_loopback: true', 'ignore_loopback: true\n  audit_include_dns: true'), (pid) => (pid === 2 ? { ...SKIP_NOTHING, dns: true } : SKIP_NOTHING));
  on.p.writeDns([lookup(1), lookup(2)]);
  assert.deepEqual(on.services.eventStore.events, [
    { type: 'dns', item: { timestamp: '1970-01-01T00:00:00.000Z', name: 'api.example.com', type: 'A', rcode: 'NOERROR', answers: ['93.184.216.34'], server: '10.0.0.2:53', processId: '1', processExe: '/usr/bin/curl' } },
  ]);
  assert.deepEqual([on.p.counters.dns_reported, on.p.counters.dns_not_audited], [1, 1]);
  await Promise.all([off.p.close(), on.p.close()]);
});

// DNS lookups seen by the kernel side (UDP sockets connected to port 53, TCP to port 53): with
// tap.audit_include_dns they become events (name, type, rcode, answers, resolver, process, latency), and the
// answers name the addresses that connections then go to (cleartap.dns_name, dst.domain). The resolver is a
// private dnsmasq on 127.0.0.153:53 (loopback); clients ask it explicitly, never the machine's resolver.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from '../helpers/agent.ts';
import { run, start, stopAll, waitUntil } from '../helpers/children.ts';
import { startPythonHttpServer, tempDir } from '../helpers/servers.ts';

const RESOLVER = '127.0.0.153';
let agent: AgentProcess;

interface DnsItem { name: string; type: string; rcode?: string; answers: string[]; server?: string; processExe?: string; durationMs?: number }

function dnsEvents(): DnsItem[] {
  const out: DnsItem[] = [];
  for (const line of agent.stderr.split('\n')) {
    if (!line.includes('event store submission') || !line.includes('"type":"dns"')) continue;
    out.push((JSON.parse(line) as { item: DnsItem }).item);
  }
  return out;
}

before(async () => {
  start('/usr/sbin/dnsmasq', [
    '--no-daemon', '--conf-file=/dev/null', '--port=53', `--listen-address=${RESOLVER}`, '--bind-interfaces',
    '--no-resolv', '--no-hosts', '--user=root', '--pid-file=',
    '--address=/api.dns.test/127.0.0.1', '--host-record=v6.dns.test,2001:db8::53',
  ]);
  for (let i = 0; ; i++) {
    const r = await run('dig', ['+short', '+tries=1', '+time=1', `@${RESOLVER}`, 'api.dns.test']);
    if (r.stdout.trim() === '127.0.0.1') break;
    if (i === 20) throw new Error(`dnsmasq does not answer on ${RESOLVER}:53: ${r.stdout}${r.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const dir = tempDir('dns-config');
  const file = join(dir, 'config.yaml');
  writeFileSync(file, `
version: 2
services: { event_stores: [{ type: stdout }], object_stores: [{ type: stdout }] }
stacks:
  s: { plugins: [{ type: http_capture, config: { level: summary } }] }
tap:
  direction: all
  ignore_loopback: false
  audit_include_dns: true
  http: { stack: s }
`);
  agent = await AgentProcess.startWith(['--config', file, '--log-level', 'debug']);
});

after(async () => {
  const code = await agent?.stop();
  await stopAll();
  assert.equal(code, 0, agent?.stderr.slice(-2000));
});

test('dig over UDP and TCP: audit events with answers, rcode, resolver, process and latency', async () => {
  for (const args of [['api.dns.test', 'A'], ['+tcp', 'v6.dns.test', 'AAAA'], ['missing.dns.test', 'A']]) {
    const r = await run('dig', ['+tries=1', '+time=2', `@${RESOLVER}`, ...args]);
    assert.equal(r.code, 0, r.stderr);
  }
  await waitUntil(() => (dnsEvents().length >= 3 ? true : undefined), 'three DNS events');
  const byName = new Map(dnsEvents().map((e) => [e.name, e]));
  const a = byName.get('api.dns.test');
  assert.deepEqual(a && { type: a.type, rcode: a.rcode, answers: a.answers, server: a.server, exe: a.processExe }, { type: 'A', rcode: 'NOERROR', answers: ['A 127.0.0.1'], server: `${RESOLVER}:53`, exe: '/usr/bin/dig' });
  assert.ok((a?.durationMs ?? -1) >= 0, 'latency from the query to its answer');
  const v6 = byName.get('v6.dns.test');
  assert.deepEqual(v6 && { type: v6.type, answers: v6.answers }, { type: 'AAAA', answers: ['AAAA 2001:db8::53'] }, 'over TCP');
  assert.ok(['NXDOMAIN', 'REFUSED'].includes(byName.get('missing.dns.test')?.rcode ?? ''));
});

test('a connection to an address DNS gave carries the name asked (cleartap.dns_name)', async () => {
  const srv = await startPythonHttpServer({ 'n.txt': 'named\n' });
  await run('dig', ['+short', `@${RESOLVER}`, 'api.dns.test']);
  const r = await run('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${srv.port}/n.txt`]);
  assert.equal(r.code, 0, r.stderr);
  const [tx] = await agent.expect((t) => t.cleartap?.remote === `127.0.0.1:${srv.port}` && t.direction.startsWith('egress'), 1);
  assert.equal(tx.cleartap?.dns_name, 'api.dns.test');
});

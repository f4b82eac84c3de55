// Qtap configs end to end: the agent runs with a config file written as a Qtap user would write it (seed
// docs 000/001), real clients make real requests, and the test asserts exactly what is printed. External
// traffic goes to a test host in a network namespace of this test's own (203.0.113.0/24, RFC 5737).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from '../helpers/agent.ts';
import { run, start, stopAll, waitForPort, waitUntil } from '../helpers/children.ts';
import { createTestHost, type TestHost } from '../helpers/netns.ts';
import { startNginx, startPythonHttpServer, tempDir } from '../helpers/servers.ts';
import type { QtapHttpTransaction } from '../../src/sinks/stdout/index.ts';

const CURL = realpathSync('/usr/bin/curl');
const PYTHON = realpathSync('/usr/bin/python3');
const PORT = 8080;

let host: TestHost;
before(async () => {
  host = await createTestHost('203.0.113');
  const dir = tempDir('netns-www');
  writeFileSync(join(dir, 'ok.txt'), 'hello from the test host\n');
  const [cmd, args] = host.exec(PYTHON, ['-m', 'http.server', String(PORT), '--bind', host.address, '--directory', dir]);
  start(cmd, args);
  await waitForPort(PORT, 10_000, host.address);
});
after(async () => {
  await stopAll();
  await host?.remove();
});

function configFile(yaml: string): string {
  const path = join(tempDir('config'), 'qtap-config.yaml');
  writeFileSync(path, yaml);
  return path;
}

async function withAgent(yaml: string, body: (agent: AgentProcess, file: string) => Promise<void>): Promise<void> {
  const file = configFile(yaml);
  const agent = await AgentProcess.startWith(['--config', file, '--log-level', 'info']);
  try {
    await body(agent, file);
  } finally {
    const code = await agent.stop();
    assert.equal(code, 0, `the agent must exit cleanly:\n${agent.stderr.slice(-2000)}`);
  }
}

const curl = async (...args: string[]) => {
  const r = await run('curl', ['-s', '-o', '/dev/null', ...args]);
  assert.equal(r.code, 0, r.stderr);
};
const toTestHost = (r: QtapHttpTransaction) => r.cleartap?.remote === `203.0.113.2:${PORT}` || r.cleartap?.local === `203.0.113.2:${PORT}`;
const settle = () => new Promise((r) => setTimeout(r, 1500));

describe('a Qtap user config', () => {
  const QTAP_CONFIG = `
version: 2
services:
  event_stores:
    - type: stdout
  object_stores:
    - type: stdout
stacks:
  default_stack:
    plugins:
      - type: http_capture
        config:
          level: summary
          format: json
          rules:
            - name: full log on errors
              expr: http.res.status >= 400
              level: full
  debug_stack:
    plugins:
      - type: http_capture
        config:
          level: full
          format: json
tap:
  direction: egress-external
  ignore_loopback: false
  audit_include_dns: false
  http:
    stack: default_stack
  filters:
    groups:
      - qpoint
  endpoints:
    - domain: "*.example.com"
      http:
        stack: debug_stack
`;

  test('direction, rules and per-domain stacks decide what is printed, and how much', async () => {
    await withAgent(QTAP_CONFIG, async (agent) => {
      const local = await startPythonHttpServer({ 'x.txt': 'local\n' });
      await curl(`http://${host.address}:${PORT}/ok.txt`);
      await curl(`http://${host.address}:${PORT}/missing`);
      await curl('-H', 'Host: api.example.com', `http://${host.address}:${PORT}/ok.txt?via=endpoint`);
      await curl(`http://127.0.0.1:${local.port}/x.txt`); // egress-internal: not printed
      const records = await agent.expect(toTestHost, 3);
      await settle();
      assert.equal(agent.records.length, 3, `only the three external requests: ${agent.records.map((r) => r.request.url).join(', ')}`);

      const ok = records.find((r) => r.request.url.endsWith('/ok.txt'))!;
      assert.equal(ok.direction, 'egress-external');
      assert.equal(ok.response?.status, 200);
      assert.equal(ok.request.headers, undefined, 'summary: no headers');
      assert.equal(ok.response?.body, undefined, 'summary: no body');

      const missing = records.find((r) => r.request.url.endsWith('/missing'))!;
      assert.equal(missing.response?.status, 404);
      assert.ok(missing.response?.body, 'the error rule raised the level to full');
      assert.ok(missing.request.headers);

      const routed = records.find((r) => r.request.url.includes('via=endpoint'))!;
      assert.equal(routed.request.authority, 'api.example.com');
      assert.equal(Buffer.from(routed.response?.body ?? '', 'base64').toString(), 'hello from the test host\n', 'debug_stack prints bodies');
    });
  });
});

describe('TLS server names', () => {
  test('the ClientHello\'s server name routes a request whose Host is an address, on both ends', async () => {
    const yaml = `
version: 2
services: { event_stores: [{ type: stdout }], object_stores: [{ type: stdout }] }
stacks:
  summary: { plugins: [{ type: http_capture, config: { level: summary } }] }
  full: { plugins: [{ type: http_capture, config: { level: full } }] }
tap:
  direction: all
  ignore_loopback: false
  http: { stack: summary }
  endpoints: [{ domain: "*.sni.test", http: { stack: full } }]
`;
    await withAgent(yaml, async (agent) => {
      const tls = await startNginx({ 'a.txt': 'by name\n' }, true);
      await curl('-k', '--resolve', `api.sni.test:${tls.port}:127.0.0.1`, '-H', `Host: 127.0.0.1:${tls.port}`, `https://api.sni.test:${tls.port}/a.txt`);
      const both = await agent.expect((r) => r.cleartap?.remote === `127.0.0.1:${tls.port}` || r.cleartap?.local === `127.0.0.1:${tls.port}`, 2);
      for (const r of both) {
        assert.equal(r.cleartap?.tls_sni, 'api.sni.test', r.direction);
        assert.equal(Buffer.from(r.response?.body ?? '', 'base64').toString(), 'by name\n', `${r.direction}: routed to the full stack by SNI`);
      }
    });
  });
});

describe('process filters', () => {
  test('an ignored exe produces nothing, over TLS or not; other processes are still seen', async () => {
    const yaml = `
version: 2
services:
  event_stores: [{ type: stdout }]
  object_stores: [{ type: stdout }]
stacks:
  s:
    plugins:
      - type: http_capture
        config: { level: summary, format: json }
tap:
  direction: egress
  ignore_loopback: false
  http: { stack: s }
  filters:
    custom:
      - exe: ${CURL}
        strategy: exact
`;
    await withAgent(yaml, async (agent) => {
      const tls = await startNginx({ 'a.txt': 'tls\n' }, true);
      await curl('-k', `https://127.0.0.1:${tls.port}/a.txt`);
      await curl(`http://${host.address}:${PORT}/ok.txt?from=curl`);
      const py = await run(PYTHON, ['-c', `import urllib.request; urllib.request.urlopen("http://${host.address}:${PORT}/ok.txt?from=python").read()`]);
      assert.equal(py.code, 0, py.stderr);
      await agent.expect((r) => r.request.url.includes('from=python'), 1);
      await settle();
      const fromCurl = agent.records.filter((r) => r.metadata.process_exe === CURL || r.metadata.process_exe === '/usr/bin/curl');
      assert.deepEqual(fromCurl.map((r) => r.request.url), [], 'nothing from the ignored exe');
    });
  });
});

describe('the built-in default config', () => {
  test('prints to stdout and keeps a local copy: cleartap query lists it, cleartap show prints it', async () => {
    const agent = await AgentProcess.startWith(['--log-level', 'info']);
    try {
      await curl(`http://${host.address}:${PORT}/ok.txt?kept=locally`);
      await agent.expect((r) => r.request.url.endsWith('kept=locally'), 1);
    } finally {
      assert.equal(await agent.stop(), 0, agent.stderr.slice(-2000));
    }
    const main = join(import.meta.dirname, '../../src/cli/main.ts');
    const q = await run(process.execPath, [main, 'query', '--dir', agent.dataDir, '--host', host.address, '--json']);
    assert.equal(q.code, 0, q.stderr);
    const rows = q.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; url: string; status: number; process_exe?: string });
    const row = rows.find((r) => r.url.endsWith('kept=locally'));
    assert.ok(row, q.stdout);
    assert.equal(row.status, 200);
    const shown = await run(process.execPath, [main, 'show', row.id, '--dir', agent.dataDir]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /kept=locally/);
    // The agent kept the API inventory beside its store while it ran.
    const live = join(agent.dataDir, 'discovery');
    assert.ok(readdirSync(live).includes('inventory.json'), readdirSync(live).join(', '));
    assert.ok(readdirSync(live).some((f) => f.endsWith('.openapi.json')));
    // API discovery reads the same store back.
    const out = tempDir('specs');
    const d = await run(process.execPath, [main, 'discover', '--from', `store:${agent.dataDir}`, '--host', host.address, '--out', out, '--format', 'json']);
    assert.equal(d.code, 0, d.stderr);
    const docs = readdirSync(out).filter((f) => f.endsWith('.openapi.json'));
    assert.equal(docs.length, 1, `${d.stdout}${d.stderr}`);
    const doc = JSON.parse(readFileSync(join(out, docs[0]), 'utf8')) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(doc.openapi.startsWith('3.1'), true);
    assert.ok('/ok.txt' in doc.paths, Object.keys(doc.paths).join(', '));
  });
});

describe("Qtap's shipped default config", () => {
  test('access_logs prints console lines, http_metrics serves Prometheus metrics, report_usage emits Request events', async () => {
    const yaml = readFileSync(join(import.meta.dirname, '../../src/config/fixtures/qtap-default.yaml'), 'utf8')
      .replace('ignore_loopback: true', 'ignore_loopback: false')
      .replace('- type: http_metrics', '- type: http_metrics\n        config: { listen: "127.0.0.1:0" }');
    const file = configFile(yaml);
    const agent = await AgentProcess.startWith(['--config', file, '--log-level', 'debug'], { json: false });
    try {
      await curl(`http://${host.address}:${PORT}/ok.txt?from=default`);
      await waitUntil(() => (agent.stdout.includes('from=default') ? true : undefined), 'the access log line', 10_000);
      // The box of mode full: the summary line (cut to the box's width), then the sections.
      assert.match(agent.stdout, /╭─ ■ curl → GET http:\/\/203\.0\.113\.2:8080\/ok\.txt/, agent.stdout);
      assert.match(agent.stdout, /├─ RESPONSE 200 OK/);
      const port = Number(/"address":\{[^}]*"port":(\d+)/.exec(agent.stderr)?.[1]);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, /qtap_http_requests_total\{[^}]*method="GET"[^}]*status="200"[^}]*\} 1/);
      await waitUntil(() => (/event store submission/.test(agent.stderr) && /"type":"request"/.test(agent.stderr) ? true : undefined), 'the Request event', 5000);
    } finally {
      assert.equal(await agent.stop(), 0, agent.stderr.slice(-2000));
    }
  });
});

describe('invalid configs', () => {
  test('config validate names the file, line, column, key path and what is allowed', async () => {
    const file = configFile('version: 2\ntap:\n  direction: egres\n  http:\n    stack: nowhere\n');
    const r = await run(process.execPath, [join(import.meta.dirname, '../../src/cli/main.ts'), 'config', 'validate', file]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')}:3:14: tap\\.direction: 'egres' is not one of egress, egress-external`));
    assert.match(r.stderr, /:5:\d+: tap\.http\.stack/);
  });

  test('the agent refuses to start on an invalid config, before loading anything', async () => {
    const file = configFile('version: 2\ntap:\n  ignore_loopback: perhaps\n');
    const r = await run(process.execPath, [join(import.meta.dirname, '../../src/cli/main.ts'), '--config', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /:3:\d+: tap\.ignore_loopback/);
  });
});

describe('reload', () => {
  test('no transaction is lost across reloads', async () => {
    const yaml = (n: number) => `
version: 2
services: { event_stores: [{ type: stdout }], object_stores: [{ type: stdout }] }
stacks: { s: { plugins: [{ type: http_capture, config: { level: summary } }] } }
tap:
  direction: egress-external
  http: { stack: s }
  endpoints: [{ domain: "reload-${n}.example.com", http: { stack: s } }]
`;
    await withAgent(yaml(0), async (agent, file) => {
      const N = 40;
      for (let i = 1; i <= N; i++) {
        await curl(`http://${host.address}:${PORT}/ok.txt?reload=${i}`);
        if (i % 10 === 0) {
          const before = (agent.stderr.match(/config reloaded/g) ?? []).length;
          writeFileSync(file, yaml(i));
          await waitUntil(() => ((agent.stderr.match(/config reloaded/g) ?? []).length > before ? true : undefined), `reload ${i / 10}`, 10_000);
        }
      }
      const got = await agent.expect((r) => r.request.url.includes('reload='), N);
      assert.equal(new Set(got.map((r) => r.request.url)).size, N, 'every request exactly once');
    });
  });

  test('a changed file takes effect without a restart; an invalid change keeps the old config', async () => {
    const yaml = (level: string) => `
version: 2
services: { event_stores: [{ type: stdout }], object_stores: [{ type: stdout }] }
stacks: { s: { plugins: [{ type: http_capture, config: { level: ${level} } }] } }
tap: { direction: egress-external, ignore_loopback: true, http: { stack: s } }
`;
    await withAgent(yaml('summary'), async (agent, file) => {
      await curl(`http://${host.address}:${PORT}/ok.txt?n=1`);
      const [first] = await agent.expect((r) => r.request.url.endsWith('n=1'), 1);
      assert.equal(first.response?.body, undefined);

      writeFileSync(file, yaml('full'));
      await waitUntil(() => (/config reloaded/.test(agent.stderr) ? true : undefined), 'the reload', 10_000);
      await curl(`http://${host.address}:${PORT}/ok.txt?n=2`);
      const [second] = await agent.expect((r) => r.request.url.endsWith('n=2'), 1);
      assert.ok(second.response?.body, 'bodies after the reload');

      writeFileSync(file, yaml('everything'));
      await waitUntil(() => (/config not reloaded/.test(agent.stderr) ? true : undefined), 'the refused reload', 10_000);
      await curl(`http://${host.address}:${PORT}/ok.txt?n=3`);
      const [third] = await agent.expect((r) => r.request.url.endsWith('n=3'), 1);
      assert.ok(third.response?.body, 'the last valid config is still in force');

      writeFileSync(file, yaml('summary'));
      agent.signal('SIGHUP');
      await waitUntil(() => ((agent.stderr.match(/config reloaded/g) ?? []).length >= 2 ? true : undefined), 'the second reload', 10_000);
      await curl(`http://${host.address}:${PORT}/ok.txt?n=4`);
      const [fourth] = await agent.expect((r) => r.request.url.endsWith('n=4'), 1);
      assert.equal(fourth.response?.body, undefined);
    });
  });
});

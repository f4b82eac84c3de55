// Real capture on this kernel: the agent runs as a child process with its BPF programs loaded, real
// clients talk to real servers on 127.0.0.1, and the test asserts the exact transactions printed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess, onPort } from '../helpers/agent.ts';
import { buildGoFixture } from '../helpers/go-build.ts';
import { run, start, stopAll, freePort, waitForPort, waitUntil } from '../helpers/children.ts';
import { makeCert, startGnutlsServer, startNginx, startOpensslServer, startPythonHttpServer, tempDir } from '../helpers/servers.ts';
import type { QtapHttpTransaction } from '../../src/sinks/stdout/index.ts';
import type { StatusReport } from '../../src/cli/status-command.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

const body = (r: QtapHttpTransaction, side: 'request' | 'response') => Buffer.from(r[side]?.body ?? '', 'base64');
const egress = (r: QtapHttpTransaction) => r.direction.startsWith('egress');
const ingress = (r: QtapHttpTransaction) => r.direction === 'ingress';
const SYSTEM_NODE = '/usr/bin/node';

let agent: AgentProcess;
before(async () => {
  agent = await AgentProcess.start();
});
after(async () => {
  const code = await agent?.stop();
  await stopAll();
  assert.equal(code, 0, `the agent must exit cleanly on SIGINT:\n${agent?.stderr.slice(-2000)}`);
});

describe('OpenSSL (libssl.so.3) clients', () => {
  test('curl → openssl s_server -www: the client side byte-exact', async () => {
    const { port } = await startOpensslServer();
    const dir = tempDir('curl');
    const out = join(dir, 'body');
    const r = await run('curl', ['-sk', '--http1.1', '-o', out, '-H', 'X-Test: s_server', `https://127.0.0.1:${port}/hello?x=1`]);
    assert.equal(r.code, 0, r.stderr);
    const [tx] = await agent.expect((t) => onPort(port)(t) && egress(t), 1);
    assert.equal(tx.request.method, 'GET');
    assert.equal(tx.request.url, `https://127.0.0.1:${port}/hello?x=1`);
    assert.equal(tx.request.path, '/hello');
    assert.equal(tx.request.headers?.['X-Test'], 's_server');
    assert.match(tx.request.user_agent ?? '', /^curl\//);
    assert.equal(tx.response?.status, 200);
    assert.deepEqual(body(tx, 'response'), readFileSync(out), 'the response body as curl received it');
    assert.equal(tx.metadata.process_exe, '/usr/bin/curl');
    assert.equal(tx.cleartap?.tls_library, 'openssl');
    assert.equal(tx.cleartap?.user, 'root');
    assert.ok(tx.cleartap?.cmdline?.includes(`https://127.0.0.1:${port}/hello?x=1`));
    // s_server -www reads through an SSL BIO, which the exported-function probes do not see (README).
    assert.equal(agent.records.filter((t) => onPort(port)(t) && ingress(t)).length, 0);
  });

  test('curl → nginx over TLS: both ends, keep-alive, exact counts', async () => {
    const page = 'x'.repeat(1000) + '\n';
    const srv = await startNginx({ 'a.txt': page, 'b.json': '{"ok":true}\n' }, true);
    const urls = ['a.txt', 'b.json', 'a.txt', 'missing'].map((p) => `https://127.0.0.1:${srv.port}/${p}`);
    const r = await run('curl', ['-sk', '--http1.1', ...urls.flatMap((u) => ['-o', '/dev/null', u])]);
    assert.equal(r.code, 0, r.stderr);
    const client = await agent.expect((t) => onPort(srv.port)(t) && egress(t), 4);
    const server = await agent.expect((t) => onPort(srv.port)(t) && ingress(t), 4);
    assert.equal(client.length, 4);
    assert.equal(server.length, 4);
    for (const side of [client, server]) {
      assert.deepEqual(side.map((t) => t.request.path), ['/a.txt', '/b.json', '/a.txt', '/missing']);
      assert.deepEqual(side.map((t) => t.response?.status), [200, 200, 200, 404]);
      assert.equal(new Set(side.map((t) => t.metadata.connection_id)).size, 1, 'one keep-alive connection');
      assert.equal(body(side[0], 'response').toString(), page);
      assert.equal(body(side[1], 'response').toString(), '{"ok":true}\n');
    }
    assert.ok(server.every((t) => t.metadata.process_exe === '/usr/sbin/nginx'));
    assert.ok(server.every((t) => t.cleartap?.local === `127.0.0.1:${srv.port}`));
    assert.ok(client.every((t) => t.cleartap?.remote === `127.0.0.1:${srv.port}`));
  });

  test('python3 urllib (SSL_read_ex/SSL_write_ex) → nginx with a POST body', async () => {
    const srv = await startNginx({ 'p.txt': 'python page\n' }, true);
    const script = `
import ssl, urllib.request
c = ssl.create_default_context(); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
print(urllib.request.urlopen('https://127.0.0.1:${srv.port}/p.txt', context=c).read().decode(), end='')
req = urllib.request.Request('https://127.0.0.1:${srv.port}/echo', data=b'{"name":"cleartap"}', headers={'Content-Type': 'application/json'})
print(urllib.request.urlopen(req, context=c).read().decode(), end='')
`;
    const r = await run('/usr/bin/python3', ['-c', script]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'python page\necho\n');
    const client = await agent.expect((t) => onPort(srv.port)(t) && egress(t), 2);
    assert.equal(client.length, 2);
    assert.equal(client[0].request.method, 'GET');
    assert.equal(body(client[0], 'response').toString(), 'python page\n');
    assert.equal(client[1].request.method, 'POST');
    assert.equal(body(client[1], 'request').toString(), '{"name":"cleartap"}');
    assert.equal(client[1].request.content_type, 'application/json');
    assert.equal(body(client[1], 'response').toString(), 'echo\n');
    assert.ok(client.every((t) => t.metadata.process_exe === '/usr/bin/python3.11'));
  });
});

describe('GnuTLS (libgnutls.so.30)', () => {
  test('gnutls-cli → nginx: the client side, with the request it piped in', async () => {
    const srv = await startNginx({ 'g.txt': 'gnutls page\n' }, true);
    const request = `GET /g.txt HTTP/1.1\r\nHost: gnutls.example.test\r\nConnection: close\r\n\r\n`;
    const r = await run('sh', ['-c', `printf '${request}' | gnutls-cli --insecure --logfile=/dev/null -p ${srv.port} 127.0.0.1`]);
    assert.match(r.stdout, /gnutls page/, r.stderr);
    const [tx] = await agent.expect((t) => onPort(srv.port)(t) && egress(t) && t.metadata.process_exe === '/usr/bin/gnutls-cli', 1);
    assert.equal(tx.request.url, 'https://gnutls.example.test/g.txt');
    assert.equal(tx.response?.status, 200);
    assert.equal(body(tx, 'response').toString(), 'gnutls page\n');
    assert.equal(tx.cleartap?.tls_library, 'gnutls');
    assert.equal(tx.cleartap?.remote, `127.0.0.1:${srv.port}`);
  });

  test('curl → gnutls-serv --http: the server side', async () => {
    const { port } = await startGnutlsServer();
    const r = await run('curl', ['-sk', '--http1.1', '-o', '/dev/null', '-w', '%{http_code}', `https://127.0.0.1:${port}/served-by-gnutls`]);
    assert.equal(r.stdout, '200', r.stderr);
    const [tx] = await agent.expect((t) => onPort(port)(t) && ingress(t), 1);
    assert.equal(tx.request.path, '/served-by-gnutls');
    assert.equal(tx.response?.status, 200);
    assert.match(body(tx, 'response').toString(), /GnuTLS/i);
    assert.equal(tx.metadata.process_exe, '/usr/bin/gnutls-serv');
    assert.equal(tx.cleartap?.tls_library, 'gnutls');
    assert.equal(tx.cleartap?.local, `127.0.0.1:${port}`);
  });
});

describe('Go crypto/tls (register ABI, probes at each RET)', () => {
  test('Go client → Go server: both ends, the POST body, the socket addresses', async () => {
    const [server, client] = await Promise.all([buildGoFixture('go-tls'), buildGoFixture('go-tls', { stripped: true })]);
    const dir = tempDir('go-tls');
    const { cert, key } = await makeCert(dir);
    const port = await freePort();
    start(server, ['server', `127.0.0.1:${port}`, cert, key]);
    await waitForPort(port);
    // A Go program is attached on its exec event; one that makes its first request within a millisecond of
    // starting beats that (README, "Known gaps"), so the client's file is introduced by a first run.
    await run(client, ['client', `https://127.0.0.1:${port}/warm-up`]);
    await waitUntil(() => agent.stderr.includes(`"path":"${client}","library":"go"`) || undefined, 'the Go client attached');
    const r = await run(client, ['client', `https://127.0.0.1:${port}/go/orders`, '{"item":"gopher"}']);
    assert.equal(r.stdout, '200 go says: /go/orders {"item":"gopher"}', r.stderr);
    const orders = (t: QtapHttpTransaction) => onPort(port)(t) && t.request.path === '/go/orders';
    const [out] = await agent.expect((t) => orders(t) && egress(t), 1);
    const [inn] = await agent.expect((t) => orders(t) && ingress(t), 1);
    for (const tx of [out, inn]) {
      assert.equal(tx.request.method, 'POST');
      assert.equal(tx.request.path, '/go/orders');
      assert.equal(body(tx, 'request').toString(), '{"item":"gopher"}');
      assert.equal(tx.response?.status, 200, JSON.stringify(tx));
      assert.equal(body(tx, 'response').toString(), 'go says: /go/orders {"item":"gopher"}');
      assert.equal(tx.cleartap?.tls_library, 'go');
    }
    assert.equal(out.metadata.process_exe, client, 'the stripped client is found through .gopclntab');
    assert.equal(out.cleartap?.remote, `127.0.0.1:${port}`);
    assert.equal(inn.metadata.process_exe, server);
    assert.equal(inn.cleartap?.local, `127.0.0.1:${port}`);

    // `cleartap status` lists the server with its Go version and its probes attached.
    const st = await run(process.execPath, [MAIN, 'status', '--json'], { env: { ...process.env, CLEARTAP_RUN_DIR: agent.dataDir } });
    assert.equal(st.code, 0, st.stderr);
    const report = JSON.parse(st.stdout) as StatusReport;
    assert.equal(report.agent.running, true);
    const row = report.processes.find((p) => p.exe === server);
    assert.deepEqual(row && { library: row.library, state: row.state, go: /^go1\./.test(row.version ?? '') }, { library: 'go', state: 'attached', go: true });
  });
});

describe('Node (statically linked OpenSSL)', () => {
  const nodes = [...new Set([process.execPath, SYSTEM_NODE])];
  for (const nodeBin of nodes) {
    test(`${nodeBin}: https client and https server, both sides`, async () => {
      const dir = tempDir('node');
      const { cert, key } = await makeCert(dir);
      const port = await freePort();
      const server = `
const https = require('node:https'); const fs = require('node:fs');
https.createServer({ cert: fs.readFileSync(${JSON.stringify(cert)}), key: fs.readFileSync(${JSON.stringify(key)}) }, (req, res) => {
  let n = 0; req.on('data', (d) => n += d.length);
  req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ path: req.url, got: n })); });
}).listen(${port}, '127.0.0.1');`;
      start(nodeBin, ['-e', server]);
      await waitForPort(port);
      const client = `
const https = require('node:https');
const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
function call(path, body) { return new Promise((resolve, reject) => {
  const req = https.request({ host: '127.0.0.1', port: ${port}, path, method: body ? 'POST' : 'GET', agent, rejectUnauthorized: false }, (res) => {
    let s = ''; res.on('data', (d) => s += d); res.on('end', () => resolve(s)); });
  req.on('error', reject); if (body) req.write(body); req.end(); }); }
(async () => { for (let i = 0; i < 3; i++) console.log(await call('/n' + i)); console.log(await call('/post', 'z'.repeat(5000))); agent.destroy(); })();`;
      const r = await run(nodeBin, ['-e', client]);
      assert.equal(r.code, 0, r.stderr);
      const egressTx = await agent.expect((t) => onPort(port)(t) && egress(t), 4);
      const ingressTx = await agent.expect((t) => onPort(port)(t) && ingress(t), 4);
      for (const side of [egressTx, ingressTx]) {
        assert.deepEqual(side.map((t) => t.request.path), ['/n0', '/n1', '/n2', '/post']);
        assert.deepEqual(side.map((t) => t.response?.status), [200, 200, 200, 200]);
        assert.equal(body(side[3], 'request').toString(), 'z'.repeat(5000));
        assert.equal(body(side[3], 'response').toString(), '{"path":"/post","got":5000}');
        assert.ok(side.every((t) => t.cleartap?.tls_library === 'node-openssl'));
        assert.ok(side.every((t) => t.request.url.startsWith(`https://127.0.0.1:${port}/`)));
      }
    });
  }
});

describe('processes started after the agent', () => {
  test('a TLS binary the agent has never seen is attached on exec, before its first request', async () => {
    const srv = await startNginx({ 'late.txt': 'late\n' }, true);
    const dir = tempDir('late-node');
    const copy = join(dir, 'node-late'); // a new inode: nothing was attached to it at start-up
    copyFileSync(SYSTEM_NODE, copy);
    chmodSync(copy, 0o755);
    const client = `require('node:https').get({ host: '127.0.0.1', port: ${srv.port}, path: '/late.txt', rejectUnauthorized: false }, (r) => { r.resume(); r.on('end', () => console.log(r.statusCode)); });`;
    const r = await run(copy, ['-e', client]);
    assert.equal(r.stdout.trim(), '200', r.stderr);
    const [tx] = await agent.expect((t) => onPort(srv.port)(t) && egress(t), 1);
    assert.equal(tx.metadata.process_exe, copy);
    assert.equal(tx.cleartap?.tls_library, 'node-openssl');
    assert.equal(body(tx, 'response').toString(), 'late\n');
  });
});

describe('plaintext HTTP', () => {
  test('IPv6 loopback: addresses and URL in their v6 form', async () => {
    const port = await freePort();
    const server = `require('node:http').createServer((req, res) => res.end('v6')).listen(${port}, '::1');`;
    start(SYSTEM_NODE, ['-e', server]);
    await waitForPort(port, 10_000, '::1');
    const r = await run('curl', ['-s', '-g', `http://[::1]:${port}/six`]);
    assert.equal(r.stdout, 'v6');
    const [tx] = await agent.expect((t) => t.cleartap?.remote === `[::1]:${port}` && egress(t), 1);
    assert.equal(tx.request.url, `http://[::1]:${port}/six`);
    assert.match(tx.cleartap?.local ?? '', /^\[::1\]:\d+$/);
  });

  test('curl → python3 -m http.server: both sides, byte-exact', async () => {
    const page = '<h1>plain</h1>\n';
    const { port } = await startPythonHttpServer({ 'index.html': page, 'two.txt': 'second\n' });
    const r = await run('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${port}/index.html`, '-o', '/dev/null', `http://127.0.0.1:${port}/two.txt`]);
    assert.equal(r.code, 0, r.stderr);
    const client = await agent.expect((t) => onPort(port)(t) && egress(t), 2);
    const server = await agent.expect((t) => onPort(port)(t) && ingress(t), 2);
    for (const side of [client, server]) {
      assert.deepEqual(side.map((t) => t.request.path).sort(), ['/index.html', '/two.txt']);
      const first = side.find((t) => t.request.path === '/index.html')!;
      assert.equal(first.response?.status, 200);
      assert.equal(body(first, 'response').toString(), page);
      assert.equal(first.request.scheme, 'http');
      assert.equal(first.cleartap?.tls_library, undefined);
    }
    assert.ok(server.every((t) => t.metadata.process_exe === '/usr/bin/python3.11'));
  });

  test('nginx with sendfile: the server never holds the body, yet framing and sizes stay exact', async () => {
    const file = 'f'.repeat(10_000);
    const srv = await startNginx({ 'file.txt': file }, false, true);
    const r = await run('curl', ['-s', `http://127.0.0.1:${srv.port}/file.txt`, `http://127.0.0.1:${srv.port}/file.txt`]);
    assert.equal(r.stdout, file + file);
    const server = await agent.expect((t) => onPort(srv.port)(t) && ingress(t), 2);
    assert.equal(server.length, 2, 'the second request on the connection is found after the sendfile gap');
    for (const t of server) {
      assert.equal(t.response?.status, 200);
      assert.equal(t.cleartap?.response_body_size, file.length);
      assert.equal(t.cleartap?.gap_bytes, file.length, 'sendfile bytes are reported as a gap');
      assert.equal(t.cleartap?.incomplete, undefined);
    }
    const client = await agent.expect((t) => onPort(srv.port)(t) && egress(t), 2);
    assert.equal(body(client[0], 'response').toString(), file, 'the client read the bytes itself: captured in full');
  });

  test('chunked responses and two concurrent clients are not mixed up', async () => {
    const port = await freePort();
    const server = `
require('node:http').createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  let i = 0; const t = setInterval(() => { res.write(req.url + ':' + i + '\\n'); if (++i === 5) { clearInterval(t); res.end(); } }, 5);
}).listen(${port}, '127.0.0.1');`;
    start(SYSTEM_NODE, ['-e', server]);
    await waitForPort(port);
    const a = run('curl', ['-s', `http://127.0.0.1:${port}/a`, `http://127.0.0.1:${port}/a2`]);
    const b = run('curl', ['-s', `http://127.0.0.1:${port}/b`, `http://127.0.0.1:${port}/b2`]);
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(ra.code, 0);
    assert.equal(rb.code, 0);
    const client = await agent.expect((t) => onPort(port)(t) && egress(t), 4);
    assert.equal(client.length, 4);
    const byPid = new Map<string, string[]>();
    for (const t of client) byPid.set(t.metadata.process_id!, [...(byPid.get(t.metadata.process_id!) ?? []), t.request.path!]);
    assert.deepEqual([...byPid.values()].map((p) => p.join(',')).sort(), ['/a,/a2', '/b,/b2']);
    for (const t of client) {
      const expected = [0, 1, 2, 3, 4].map((i) => `${t.request.path}:${i}\n`).join('');
      assert.equal(body(t, 'response').toString(), expected, 'de-chunked body');
      assert.equal(t.response?.headers?.['Transfer-Encoding'] ?? t.response?.headers?.['transfer-encoding'], 'chunked');
    }
    await agent.expect((t) => onPort(port)(t) && ingress(t), 4);
  });
});

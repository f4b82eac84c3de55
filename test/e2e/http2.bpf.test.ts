// HTTP/2 captured for real: curl --http2 (ALPN h2 over OpenSSL) and a Node http2 client against a Node
// http2 server (TLS in node's OpenSSL), nghttp with prior knowledge against a cleartext (h2c) server, and a
// gRPC-shaped call, and h2c by Upgrade against a Go server. Both ends of each connection are asserted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentProcess, onPort } from '../helpers/agent.ts';
import { freePort, run, start, stopAll, waitForPort, waitUntil } from '../helpers/children.ts';
import { makeCert, tempDir } from '../helpers/servers.ts';
import { buildGoFixture } from '../helpers/go-build.ts';
import type { QtapHttpTransaction } from '../../src/sinks/stdout/index.ts';

const SERVER = new URL('../fixtures/http2/server.mjs', import.meta.url).pathname;
const body = (r: QtapHttpTransaction, side: 'request' | 'response') => Buffer.from(r[side]?.body ?? '', 'base64').toString();
let agent: AgentProcess;

async function startServer(mode: 'tls' | 'h2c'): Promise<number> {
  const args = [SERVER, mode];
  if (mode === 'tls') {
    const { cert, key } = await makeCert(tempDir('h2'));
    args.push(cert, key);
  }
  const s = start(process.execPath, args);
  const line = await waitUntil(() => /listening (\d+)/.exec(s.stdout())?.[1], 'the http2 server');
  return Number(line);
}

before(async () => {
  agent = await AgentProcess.start();
});

after(async () => {
  const code = await agent?.stop();
  await stopAll();
  assert.equal(code, 0, agent?.stderr.slice(-2000));
});

test('curl --http2 over TLS (ALPN h2) → Node http2 server: both ends', async () => {
  const port = await startServer('tls');
  const r = await run('curl', ['-sk', '--http2', '-H', 'X-Client: curl', '-d', '{"a":1}', '-H', 'content-type: application/json', `https://127.0.0.1:${port}/h2/items?x=1`]);
  assert.equal(JSON.parse(r.stdout).got, 7, r.stderr);
  const both = await agent.expect(onPort(port), 2);
  for (const tx of both) {
    assert.equal(tx.request.protocol, 'http2', tx.direction);
    assert.equal(tx.request.method, 'POST');
    assert.equal(tx.request.url, `https://127.0.0.1:${port}/h2/items?x=1`);
    assert.equal(tx.request.headers?.['x-client'], 'curl');
    assert.equal(body(tx, 'request'), '{"a":1}');
    assert.equal(tx.response?.status, 200);
    assert.equal(tx.response?.headers?.['x-h2-test'], 'yes');
    assert.deepEqual(JSON.parse(body(tx, 'response')), { path: '/h2/items?x=1', method: 'POST', got: 7 });
    assert.equal(tx.cleartap?.http_version, 'HTTP/2');
  }
  const client = both.find((t) => t.direction.startsWith('egress'))!;
  const server = both.find((t) => t.direction === 'ingress')!;
  assert.equal(client.metadata.process_exe, '/usr/bin/curl');
  assert.equal(client.cleartap?.tls_library, 'openssl');
  assert.equal(server.cleartap?.tls_library, 'node-openssl');
});

test('nghttp (prior knowledge) → cleartext h2c server: concurrent streams on one connection', async () => {
  const port = await startServer('h2c');
  const urls = ['/one', '/two', '/three'].map((p) => `http://127.0.0.1:${port}${p}`);
  const r = await run('nghttp', ['-n', ...urls]);
  assert.equal(r.code, 0, r.stderr);
  const client = await agent.expect((t) => onPort(port)(t) && t.direction.startsWith('egress'), 3);
  assert.deepEqual(client.map((t) => t.request.path).sort(), ['/one', '/three', '/two']);
  assert.ok(client.every((t) => t.request.protocol === 'http2' && t.response?.status === 200));
  assert.equal(new Set(client.map((t) => t.metadata.connection_id)).size, 1);
  await agent.expect((t) => onPort(port)(t) && t.direction === 'ingress', 3);
});

test('a gRPC-shaped call from a Node http2 client: service, method, status and messages', async () => {
  const port = await startServer('tls');
  const script = `
    const http2 = require('node:http2');
    const s = http2.connect('https://127.0.0.1:${port}', { rejectUnauthorized: false });
    const call = (path) => new Promise((resolve) => {
      const msg = Buffer.from('hello'); const frame = Buffer.alloc(5 + msg.length); frame.writeUInt32BE(msg.length, 1); msg.copy(frame, 5);
      const req = s.request({ ':path': path, ':method': 'POST', 'content-type': 'application/grpc', te: 'trailers' });
      req.on('data', () => {}); req.on('end', resolve); req.end(frame);
    });
    call('/demo.Greeter/SayHello').then(() => call('/demo.Greeter/Fail')).then(() => s.close());`;
  const r = await run(process.execPath, ['-e', script]);
  assert.equal(r.code, 0, r.stderr);
  const calls = await agent.expect((t) => onPort(port)(t) && t.direction.startsWith('egress'), 2);
  const byMethod = new Map(calls.map((t) => [t.cleartap?.grpc?.method, t.cleartap?.grpc]));
  assert.deepEqual(byMethod.get('SayHello'), { service: 'demo.Greeter', method: 'SayHello', status: 0, status_name: 'OK', request_messages: 1, response_messages: 1 });
  assert.deepEqual(byMethod.get('Fail'), { service: 'demo.Greeter', method: 'Fail', status: 7, status_name: 'PERMISSION_DENIED', message: 'no access', request_messages: 1, response_messages: 0 });
});

test('curl --http2 on http:// (h2c by Upgrade) → Go h2c server: stream 1 is the upgrade request, answered in HTTP/2', async () => {
  const server = await buildGoFixture('h2c-server');
  const port = await freePort();
  start(server, [`127.0.0.1:${port}`]);
  await waitForPort(port);
  const r = await run('curl', ['-s', '--http2', `http://127.0.0.1:${port}/upgraded?q=1`]);
  assert.match(r.stdout, /^\/upgraded over HTTP/, r.stderr);
  const both = await agent.expect(onPort(port), 2);
  for (const tx of both) {
    assert.equal(tx.request.protocol, 'http2', tx.direction);
    assert.equal(tx.request.url, `http://127.0.0.1:${port}/upgraded?q=1`);
    assert.equal(tx.response?.status, 200);
    assert.match(body(tx, 'response'), /^\/upgraded over HTTP/);
  }
  assert.deepEqual(both.map((t) => t.direction.startsWith('egress') ? 'client' : 'server').sort(), ['client', 'server']);
});

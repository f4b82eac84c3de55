import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatIp, IpAddress } from '../core/ip.ts';
import type { Transaction } from '../core/transaction.ts';
import { compileRule } from './rule.ts';
import { transactionFields } from './transaction-fields.ts';

function transaction(overrides: Partial<Transaction> = {}): Transaction {
  return {
    id: 't1',
    connectionId: 'c1',
    startTime: 1_700_000_000_000,
    endTime: 1_700_000_000_012,
    durationMs: 12,
    direction: 'egress',
    local: { address: '10.0.0.5', port: 40312 },
    remote: { address: '93.184.216.34', port: 443 },
    host: 'API.Example.com',
    scheme: 'https',
    protocol: 'http1',
    tlsLibrary: 'openssl',
    process: {
      pid: 4242,
      exe: '/usr/bin/curl',
      cmdline: ['curl', 'https://api.example.com/v1/items?x=1'],
      uid: 1000,
      user: 'alice',
      cgroupPath: '/system.slice/docker-0123456789abcdef.scope',
      containerId: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    },
    request: {
      method: 'POST',
      url: 'https://API.Example.com:8443/v1/items?x=1',
      target: '/v1/items?x=1',
      path: '/v1/items',
      version: 'HTTP/1.1',
      headers: [
        ['Host', 'API.Example.com:8443'],
        ['User-Agent', 'curl/8.1'],
        ['Accept', 'application/json'],
        ['accept', 'text/plain'],
        ['__proto__', 'odd'],
      ],
      body: new Uint8Array(0),
      bodySize: 0,
      bodyTruncated: false,
    },
    response: {
      status: 503,
      reason: 'Service Unavailable',
      version: 'HTTP/1.1',
      headers: [['Content-Type', 'text/html'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']],
      body: new Uint8Array(0),
      bodySize: 0,
      bodyTruncated: false,
    },
    bytesSent: 120,
    bytesReceived: 2048,
    ...overrides,
  };
}

describe('transactionFields', () => {
  const fields = transactionFields(transaction(), { hostname: 'web-1', tags: ['prod'] });

  const table: Array<[expr: string, outcome: string]> = [
    ['protocol == "http1"', 'pass'],
    ['direction == "egress-external"', 'pass'],
    ['tags contains "prod"', 'pass'],
    ['tls.enabled', 'pass'],
    ['src.ip == 10.0.0.5 and src.port == 40312', 'pass'],
    ['src.ip in 10.0.0.0/8', 'pass'],
    ['src.process.path == "/usr/bin/curl"', 'pass'],
    ['src.process.binary == "curl"', 'pass'],
    ['src.process.hostname == "web-1"', 'pass'],
    ['src.process.user.id == 1000 and src.process.user.name == "alice"', 'pass'],
    ['src.container.id == "0123456789ab"', 'pass'],
    ['src.container.name', 'missing'],
    ['dst.ip == 93.184.216.34 and dst.port == 443', 'pass'],
    ['dst.domain == "api.example.com"', 'pass'],
    ['in_zone(dst.domain, "example.com")', 'pass'],
    ['http.req.method == "POST"', 'pass'],
    ['http.req.path matches /^\\/v1\\//', 'pass'],
    ['http.req.scheme == "https"', 'pass'],
    ['http.req.host == "API.Example.com:8443"', 'pass'],
    ['http.req.url == "https://API.Example.com:8443/v1/items?x=1"', 'pass'],
    ['http.req.headers.user-agent == "curl/8.1"', 'pass'],
    ['http.req.headers["User-Agent"] contains "curl"', 'pass'],
    ['http.req.headers.accept == "application/json, text/plain"', 'pass'],
    ['http.req.headers["__proto__"] == "odd"', 'pass'],
    ['http.req.headers.x-missing', 'missing'],
    ['http.res.status >= 500', 'pass'],
    ['http.res.headers.set-cookie == "a=1, b=2"', 'pass'],
    ['http.res.headers.content-type contains "html"', 'pass'],
  ];
  for (const [expr, outcome] of table) {
    test(`${expr} → ${outcome}`, () => assert.equal(compileRule(expr).evaluate(fields), outcome));
  }

  test('addresses are pre-parsed', () => {
    const src = fields.src as { ip: unknown };
    assert.ok(src.ip instanceof IpAddress);
    assert.equal(formatIp(src.ip), '10.0.0.5');
  });
});

describe('what is absent stays absent', () => {
  test('plain HTTP: no tls.*', () => {
    const f = transactionFields(transaction({ scheme: 'http', tlsLibrary: undefined }));
    assert.equal(compileRule('tls.enabled').evaluate(f), 'missing');
    assert.equal(compileRule('http.req.scheme == "http"').evaluate(f), 'pass');
  });

  test('no response: no http.res', () => {
    const f = transactionFields(transaction({ response: undefined }));
    assert.equal(compileRule('http.res.status >= 400').evaluate(f), 'missing');
    assert.equal(compileRule('http.res').evaluate(f), 'missing');
  });

  test('no process, no addresses, no context', () => {
    const f = transactionFields(transaction({ process: undefined, local: undefined, remote: undefined, host: 'unknown' }));
    for (const expr of ['src.process.path', 'src.ip', 'dst.ip', 'dst.port', 'dst.domain', 'src.container.id', 'src.process.hostname']) {
      assert.equal(compileRule(expr).evaluate(f), 'missing', expr);
    }
    assert.equal(compileRule('tags').evaluate(f), 'fail');
    assert.equal(compileRule('direction == "egress-external"').evaluate(f), 'pass');
  });

  test('an IP host is not a domain; ingress and internal directions', () => {
    const internal = transactionFields(transaction({ host: '10.1.1.1', remote: { address: '10.1.1.1', port: 80 } }));
    assert.equal(compileRule('dst.domain').evaluate(internal), 'missing');
    assert.equal(compileRule('direction == "egress-internal"').evaluate(internal), 'pass');
    const ingress = transactionFields(transaction({ direction: 'ingress' }));
    assert.equal(compileRule('direction == "ingress"').evaluate(ingress), 'pass');
  });

  test('a process without a container has no src.container', () => {
    const tx = transaction();
    const f = transactionFields({ ...tx, process: { ...tx.process!, containerId: undefined } });
    assert.equal(compileRule('src.container.id').evaluate(f), 'missing');
    assert.equal(compileRule('src.process.binary == "curl"').evaluate(f), 'pass');
  });
});

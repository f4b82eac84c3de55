import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { Counter } from 'prom-client';
import { failingGetTx, pluginViewOf, postOrderTx, testServices } from '../test-support.ts';
import { createHttpMetrics } from './http-metrics.ts';
import { parseListen } from './listen-address.ts';

async function get(port: number, path: string, method = 'GET') {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('http_metrics', () => {
  it('serves Prometheus metrics over HTTP, labelled method, host, status and protocol', async () => {
    const s = testServices();
    const m = await createHttpMetrics({ listen: '127.0.0.1:0' }, s);
    try {
      m.onTransaction(pluginViewOf(postOrderTx()));
      m.onTransaction(pluginViewOf(failingGetTx()));
      const noResponse = failingGetTx();
      delete noResponse.response;
      m.onTransaction(pluginViewOf(noResponse));
      const scrape = await get(m.address.port, '/metrics');
      assert.equal(scrape.status, 200);
      assert.match(scrape.type!, /^text\/plain; version=0\.0\.4/);
      const lines = scrape.body.split('\n');
      const has = (line: string) => assert.ok(lines.includes(line), `missing: ${line}\n${scrape.body}`);
      has('qtap_http_requests_total{method="POST",host="api.example.com",status="201",protocol="http1"} 1');
      has('qtap_http_requests_total{method="GET",host="backend.internal:8080",status="503",protocol="http1"} 1');
      has('qtap_http_requests_total{method="GET",host="backend.internal:8080",status="000",protocol="http1"} 1');
      has('qtap_http_responses_total{method="GET",host="backend.internal:8080",status="503",protocol="http1"} 1');
      assert.ok(!scrape.body.includes('qtap_http_responses_total{method="GET",host="backend.internal:8080",status="000"'));
      has('qtap_http_request_duration_ms_bucket{le="50",method="POST",host="api.example.com",status="201",protocol="http1"} 1');
      has('qtap_http_request_duration_ms_bucket{le="25",method="POST",host="api.example.com",status="201",protocol="http1"} 0');
      has('qtap_http_request_size_bytes_sum{method="POST",host="api.example.com",status="201",protocol="http1"} 310');
      has('qtap_http_response_size_bytes_sum{method="POST",host="api.example.com",status="201",protocol="http1"} 1264');
    } finally {
      await m.close!();
    }
  });

  it('serves the agent\'s health registry at /system/metrics; other paths 404, other methods 405', async () => {
    const s = testServices();
    new Counter({ name: 'cleartap_test_drops_total', help: 'test', registers: [s.metrics.systemRegistry] }).inc(3);
    const m = await createHttpMetrics({ listen: '127.0.0.1:0' }, s);
    try {
      const sys = await get(m.address.port, '/system/metrics');
      assert.equal(sys.status, 200);
      assert.match(sys.body, /^cleartap_test_drops_total 3$/m);
      assert.equal((await get(m.address.port, '/')).status, 404);
      assert.equal((await get(m.address.port, '/metrics', 'POST')).status, 405);
      assert.equal((await get(m.address.port, '/metrics', 'HEAD')).status, 200);
    } finally {
      await m.close!();
    }
  });

  it('two stacks with http_metrics on one address share the server and the metrics; the last close stops it', async () => {
    const s = testServices();
    const probe = await createHttpMetrics({ listen: '127.0.0.1:0' }, s);
    const port = probe.address.port;
    await probe.close!();
    const a = await createHttpMetrics({ listen: `127.0.0.1:${port}` }, s);
    const b = await createHttpMetrics({ listen: `127.0.0.1:${port}` }, s);
    a.onTransaction(pluginViewOf(failingGetTx()));
    b.onTransaction(pluginViewOf(failingGetTx()));
    assert.match((await get(port, '/metrics')).body, /^qtap_http_requests_total\{[^}]*status="503"[^}]*\} 2$/m);
    await a.close!();
    assert.equal((await get(port, '/metrics')).status, 200);
    await b.close!();
    await assert.rejects(get(port, '/metrics'));
  });

  it('an address in use fails at start with CT_ERR_PLUGIN; a bad listen too', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(createHttpMetrics({ listen: `127.0.0.1:${port}` }, testServices()), { code: 'CT_ERR_PLUGIN' });
      await assert.rejects(createHttpMetrics({ listen: 'nope' }, testServices()), { code: 'CT_ERR_PLUGIN' });
    } finally {
      blocker.close();
    }
  });
});

describe('parseListen', () => {
  it('accepts host:port, [v6]:port, :port and a bare port', () => {
    assert.deepEqual(parseListen('127.0.0.1:10001'), { host: '127.0.0.1', port: 10001 });
    assert.deepEqual(parseListen('[::1]:9000'), { host: '::1', port: 9000 });
    assert.deepEqual(parseListen(':10001'), { host: undefined, port: 10001 });
    assert.deepEqual(parseListen('localhost:0'), { host: 'localhost', port: 0 });
    assert.deepEqual(parseListen(10002), { host: '127.0.0.1', port: 10002 });
    assert.deepEqual(parseListen('10003'), { host: '127.0.0.1', port: 10003 });
  });

  it('says what is wrong otherwise', () => {
    for (const bad of ['x', '1.2.3.4', '1.2.3.4:70000', 70000, true]) assert.equal(typeof parseListen(bad), 'string', String(bad));
  });
});

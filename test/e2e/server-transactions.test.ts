// The control plane's transaction routes over a real local store: every filter against the traffic it was
// filled with, cursor pages that add up to the whole list, one transaction decoded (and redacted for viewers),
// and the live tail receiving a row written after it subscribed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DATABASE_FILE } from '../../src/sinks/local/database.ts';
import { STORE_DATABASE_FILE } from '../../src/server/store/store-connection.ts';
import { CONTAINER_A, CONTAINER_B, eventually, startHarness, transactionOf, type Harness, type TrafficSpec } from './server-fixture.ts';

type Summary = { id: string; seq: number; host: string; status: number; containerId: string | null; processExe: string; method: string };

const idOf = (s: TrafficSpec) => `tx-${String(s.n).padStart(3, '0')}`;
/** Newest first, as the API lists them (time, then id, descending). */
const expectIds = (specs: TrafficSpec[], base: number, keep: (s: TrafficSpec) => boolean) =>
  specs
    .filter(keep)
    .sort((a, b) => base + b.at - (base + a.at) || idOf(b).localeCompare(idOf(a)))
    .map(idOf);

describe('transactions API', () => {
  let h: Harness & { writer: Awaited<ReturnType<typeof startHarness>>['writer'] };
  before(async () => {
    h = await startHarness();
    // The index (container ids) follows the store: wait until it has every record.
    await eventually(async () => ((await h.json('/readyz')).body.checks.indexed >= h.traffic.length ? true : undefined), 5000, 'the index');
  });
  after(() => h?.close());

  const list = async (query: string, role: 'viewer' | 'admin' = 'viewer') => {
    const r = await h.json<{ items: Summary[]; nextCursor: string | null }>(`/api/v1/transactions?limit=1000${query === '' ? '' : `&${query}`}`, { role });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.items.map((t) => t.id);
  };

  it('lists every transaction newest first, with the fields of both its event and its record', async () => {
    assert.equal(STORE_DATABASE_FILE, DATABASE_FILE, 'the server attaches the file the store writes');
    const r = await h.json<{ items: Summary[]; nextCursor: null }>('/api/v1/transactions?limit=1000', { role: 'viewer' });
    assert.deepEqual(r.body.items.map((t) => t.id), expectIds(h.traffic, h.base, () => true));
    assert.equal(r.body.nextCursor, null);
    const order = r.body.items.find((t) => t.id === 'tx-013') as Summary & Record<string, unknown>;
    assert.equal(order.method, 'POST');
    assert.equal(order.host, 'api.example.com');
    assert.equal(order.status, 201);
    assert.equal(order.processExe, '/usr/bin/python3.12');
    assert.equal(order.processId, 5200);
    assert.equal(order.containerId, CONTAINER_A);
    assert.equal(order.direction, 'egress-external');
    assert.equal(order.userAgent, 'python-requests/2.31');
    assert.equal(order.bytesSent, 113);
    assert.equal(order.time, new Date(h.base + 62_000).toISOString());
  });

  it('every filter selects exactly the matching traffic', async () => {
    const { base } = h;
    const cases: Array<[string, (s: TrafficSpec) => boolean]> = [
      ['host=api.example.com', (s) => s.host === 'api.example.com'],
      ['host=API.EXAMPLE.COM', (s) => s.host === 'api.example.com'],
      ['host=*.example.com', (s) => s.host.endsWith('.example.com')],
      ['host=*.example.*', (s) => /\.example\./.test(s.host)],
      ['method=POST', (s) => s.method === 'POST'],
      ['method=get,post', () => true],
      ['pathPrefix=/v1/items', (s) => s.path.startsWith('/v1/items')],
      ['pathPrefix=/v1', (s) => s.path.startsWith('/v1')],
      ['pathPrefix=/v1_', () => false],
      ['status=503', (s) => s.status === 503],
      ['status=5xx', (s) => s.status >= 500],
      ['status=4XX', (s) => s.status >= 400 && s.status < 500],
      ['status=200-299', (s) => s.status >= 200 && s.status < 300],
      ['status=201,400', (s) => s.status === 201 || s.status === 400],
      ['process=curl', (s) => s.exe === '/usr/bin/curl'],
      ['process=/usr/sbin/nginx', (s) => s.exe === '/usr/sbin/nginx'],
      ['process=5200', (s) => s.pid === 5200],
      [`container=${CONTAINER_A}`, (s) => s.containerId === CONTAINER_A],
      [`container=${CONTAINER_B.slice(0, 12).toUpperCase()}`, (s) => s.containerId === CONTAINER_B],
      ['direction=ingress', (s) => s.direction === 'ingress'],
      ['direction=egress', (s) => s.direction === 'egress'],
      ['direction=egress-internal', (s) => s.direction === 'egress' && s.remote.startsWith('10.')],
      ['direction=egress-external', (s) => s.direction === 'egress' && !s.remote.startsWith('10.')],
      [`since=${new Date(base + 60_000).toISOString()}`, (s) => s.at >= 60_000],
      [`since=${new Date(base + 60_000).toISOString()}&until=${new Date(base + 120_000).toISOString()}`, (s) => s.at >= 60_000 && s.at < 120_000],
      ['since=1h', () => true],
      ['until=1h', () => false],
      ['q=python', (s) => s.exe.includes('python')],
      ['q=KUBE-PROBE', (s) => s.userAgent.startsWith('kube-probe')],
      [`q=${CONTAINER_B.slice(0, 20)}`, (s) => s.containerId === CONTAINER_B],
      ['q=orders', (s) => s.path === '/v1/orders'],
      ['q=93.184.216', (s) => s.remote.startsWith('93.184.216')],
      ['q=100%25', () => false], // a literal %, not a wildcard
      ['q=expand%3Downer', (s) => s.query === 'expand=owner'],
      ['host=api.example.com&status=2xx&process=curl&method=GET', (s) => s.host === 'api.example.com' && s.status < 300 && s.exe === '/usr/bin/curl'],
    ];
    for (const [query, keep] of cases) assert.deepEqual(await list(query), expectIds(h.traffic, base, keep), query);
  });

  it('cursor pages add up to the whole list, stay stable while new rows arrive, and refuse a forged cursor', async () => {
    const all = await list('');
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const r: { body: { items: Summary[]; nextCursor: string | null } } = await h.json(`/api/v1/transactions?limit=5${cursor === null ? '' : `&cursor=${cursor}`}`, { role: 'viewer' });
      pages.push(r.body.items.map((t) => t.id));
      cursor = r.body.nextCursor;
      assert.ok(pages.length < 20);
    } while (cursor !== null);
    assert.deepEqual(pages.map((p) => p.length), [5, 5, 5, 5, 4]);
    assert.deepEqual(pages.flat(), all);
    // A row newer than the first page, written between two page reads, does not shift the next page.
    const page1 = await h.json<{ items: Summary[]; nextCursor: string }>('/api/v1/transactions?limit=5', { role: 'viewer' });
    await h.writer.write([transactionOf({ ...h.traffic[0], n: 104, host: 'page.example.com', at: 179_000 }, h.base)]);
    const page2 = await h.json<{ items: Summary[] }>(`/api/v1/transactions?limit=5&cursor=${page1.body.nextCursor}`, { role: 'viewer' });
    assert.deepEqual(page2.body.items.map((t) => t.id), all.slice(5, 10));
    assert.equal((await list('host=page.example.com'))[0], 'tx-104');
    // A page with a filter, and its cursor honours the filter.
    const first = await h.json<{ items: Summary[]; nextCursor: string }>('/api/v1/transactions?limit=3&host=api.example.com', { role: 'viewer' });
    const second = await h.json<{ items: Summary[] }>(`/api/v1/transactions?limit=100&host=api.example.com&cursor=${first.body.nextCursor}`, { role: 'viewer' });
    assert.deepEqual([...first.body.items, ...second.body.items].map((t) => t.id), await list('host=api.example.com'));
    for (const bad of ['nope', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
      const r = await h.json(`/api/v1/transactions?cursor=${bad}`, { role: 'viewer' });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'CT_ERR_VALIDATION');
      assert.equal(r.body.error.details[0].field, 'querystring.cursor');
    }
  });

  it('one transaction in full: headers and bodies decoded for editors, redacted for viewers unless the setting allows', async () => {
    const full = await h.json('/api/v1/transactions/tx-013', { role: 'editor' });
    assert.equal(full.status, 200);
    const t = full.body;
    assert.equal(t.level, 'full');
    assert.equal(t.redacted, false);
    assert.equal(t.containerId, CONTAINER_A);
    assert.deepEqual(t.connection, { local: '10.0.0.5:40013', remote: '93.184.216.34:443', tlsLibrary: 'openssl', tlsSni: 'api.example.com', httpVersion: 'HTTP/1.1' });
    assert.equal(t.process.containerId, CONTAINER_A);
    assert.equal(t.process.cgroup, `/system.slice/docker-${CONTAINER_A}.scope`);
    assert.deepEqual(JSON.parse(t.request.body.data), { sku: 'sku-0', quantity: 1, note: 'secret-note' });
    assert.equal(t.request.body.encoding, 'utf8');
    assert.equal(t.request.headers['Content-Type'], 'application/json');
    // The agent's stack masked the credential before it was stored; the API shows what was stored.
    assert.match(t.request.headers.Authorization, /REDACTED/);
    assert.equal(t.response.status, 201);
    assert.deepEqual(JSON.parse(t.response.body.data), { orderId: 'ord-0', total: 19.99 });
    assert.equal(t.response.headers['X-Request-Id'], 'req-13');
    assert.deepEqual(t.events.map((e: { type: string }) => e.type), ['request']);
    assert.equal(t.events[0].item.authTokenMask, 'sk-...cdef');
    assert.deepEqual(t.artifacts.map((a: { type: string; available: boolean }) => [a.type, a.available]), [['http_transaction', true]]);

    const viewed = (await h.json('/api/v1/transactions/tx-013', { role: 'viewer' })).body;
    assert.equal(viewed.redacted, true);
    assert.deepEqual(viewed.request.body, { redacted: true, size: 49, truncated: false });
    assert.equal(viewed.request.headers['Content-Type'], '[redacted]');
    assert.equal(viewed.request.headers[':path'], '/v1/orders');
    assert.equal(viewed.response.body.data, undefined);
    assert.deepEqual(viewed.process.cmdline, ['/usr/bin/python3.12']);
    assert.equal(JSON.stringify(viewed).includes('secret-note'), false);
    assert.equal(JSON.stringify(viewed).includes('ord-0'), false);

    assert.equal((await h.json('/api/v1/settings', { method: 'PUT', role: 'admin', body: { viewersSeePayloads: true } })).status, 200);
    const allowed = (await h.json('/api/v1/transactions/tx-013', { role: 'viewer' })).body;
    assert.equal(allowed.redacted, false);
    assert.equal(JSON.parse(allowed.request.body.data).note, 'secret-note');
    assert.equal((await h.json('/api/v1/settings', { method: 'PUT', role: 'admin', body: { viewersSeePayloads: false } })).status, 200);
    assert.equal((await h.json('/api/v1/transactions/tx-013', { role: 'viewer' })).body.redacted, true);

    const text = (await h.json('/api/v1/transactions/tx-020', { role: 'admin' })).body;
    assert.equal(text.response.body.data, 'ok');
    const missing = await h.json('/api/v1/transactions/tx-999', { role: 'viewer' });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'CT_ERR_NOT_FOUND');
    // An id prefix is not an id.
    assert.equal((await h.json('/api/v1/transactions/tx-01', { role: 'viewer' })).status, 404);
  });

  it('the live tail sends, through its filter, a row written after it subscribed; Last-Event-ID resumes', async () => {
    const controller = new AbortController();
    const res = await fetch(`${h.url}/api/v1/transactions/stream?host=late.example.com&status=2xx`, { headers: { authorization: `Bearer ${h.tokens.viewer}` }, signal: controller.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events: Array<{ id: string; data: Summary }> = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
          if (fields.event === 'transaction') events.push({ id: fields.id, data: JSON.parse(fields.data) });
        }
      }
    })().catch(() => {});
    const late = (n: number, host: string, status: number): TrafficSpec => ({ ...h.traffic[0], n, host, status, at: 170_000 + n });
    await h.writer.write([transactionOf(late(101, 'other.example.com', 200), h.base), transactionOf(late(102, 'late.example.com', 500), h.base), transactionOf(late(103, 'late.example.com', 200), h.base)]);
    await eventually(() => (events.length >= 1 ? true : undefined), 5000, 'the live event');
    await new Promise((r) => setTimeout(r, 400)); // nothing else arrives
    assert.deepEqual(events.map((e) => e.data.id), ['tx-103']);
    assert.equal(events[0].data.host, 'late.example.com');
    assert.equal(events[0].data.processExe, '/usr/bin/curl');
    assert.equal(String(events[0].data.seq), events[0].id);
    controller.abort();
    await reading;
    await eventually(async () => ((await h.json('/readyz')).body.checks.liveStreams === 0 ? true : undefined), 2000, 'the stream to close');

    // Resuming from before the three rows replays what the filter lets through, and only that.
    const seqOf = async (id: string) => ((await h.json<{ items: Summary[] }>(`/api/v1/transactions?q=${id}`, { role: 'viewer' })).body.items[0] as Summary).seq;
    const resumed = await fetch(`${h.url}/api/v1/transactions/stream?host=late.example.com`, { headers: { authorization: `Bearer ${h.tokens.viewer}`, 'last-event-id': String((await seqOf('tx-101')) - 1) } });
    const reader = (resumed.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!/tx-103/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    assert.deepEqual([...text.matchAll(/"id":"(tx-\d+)"/g)].map((m) => m[1]), ['tx-102', 'tx-103']);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SeededRandom } from '../../core/fixtures/seeded-random.ts';
import { HpackDecoder, Http2Session, looksLikeHttp2Frame, sniffHttp2, type Http2Exchange } from './index.ts';
import { call, recordHttp2, type Recording } from './recording-fixture.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Feeds a recording in random pieces, interleaving the directions as they would arrive. */
function parse(rec: Recording, seed = 1, opts: ConstructorParameters<typeof Http2Session>[1] = {}): { exchanges: Http2Exchange[]; session: Http2Session } {
  const rnd = new SeededRandom(seed);
  const s = new Http2Session({}, opts);
  const out: Http2Exchange[] = [];
  let a = 0;
  let b = 0;
  let t = 1;
  while (a < rec.request.length || b < rec.response.length) {
    if (a < rec.request.length && (b >= rec.response.length || rnd.chance(0.5))) {
      const n = rnd.int(1, 300);
      s.push('request', rec.request.subarray(a, a + n), t++);
      a += n;
    } else {
      const n = rnd.int(1, 300);
      s.push('response', rec.response.subarray(b, b + n), t++);
      b += n;
    }
    out.push(...s.take());
  }
  out.push(...s.flush());
  return { exchanges: out.sort((x, y) => x.streamId - y.streamId), session: s };
}

describe('HPACK (RFC 7541 Appendix C)', () => {
  test('C.3: requests without Huffman, the dynamic table carried from one to the next', () => {
    const d = new HpackDecoder();
    const r1 = d.decode(hex('8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d'));
    assert.deepEqual(r1, { ok: true, incomplete: false, fields: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']] });
    const r2 = d.decode(hex('8286 84be 5808 6e6f 2d63 6163 6865'));
    assert.deepEqual(r2.ok && r2.fields.slice(3), [[':authority', 'www.example.com'], ['cache-control', 'no-cache']]);
    const r3 = d.decode(hex('8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65'));
    assert.deepEqual(r3.ok && r3.fields, [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']]);
    assert.equal(d.tableSize, 164);
  });

  test('C.4: the same with Huffman', () => {
    const d = new HpackDecoder();
    assert.deepEqual(d.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff')), { ok: true, incomplete: false, fields: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']] });
    const r2 = d.decode(hex('8286 84be 5886 a8eb 1064 9cbf'));
    assert.deepEqual(r2.ok && r2.fields[4], ['cache-control', 'no-cache']);
  });

  test('C.5: responses with eviction from a 256-byte table', () => {
    const d = new HpackDecoder({ maxTableBytes: 256 });
    d.decode(hex('4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d'));
    assert.equal(d.tableSize, 222);
    const r2 = d.decode(hex('4803 3330 37c1 c0bf'));
    assert.deepEqual(r2.ok && r2.fields[0], [':status', '307']);
    assert.equal(d.tableSize, 222);
    assert.deepEqual(d.entries.map((e) => e[0]), [':status', 'location', 'date', 'cache-control']);
  });

  test('bad input is an error value: index 0, past the table, bad Huffman, oversized update, truncation', () => {
    const d = () => new HpackDecoder();
    assert.equal(d().decode(hex('80')).ok, false);
    assert.equal(d().decode(hex('be')).ok, false);
    assert.equal(d().decode(hex('4081ff00')).ok, false, 'EOS padding longer than 7 bits');
    assert.equal(d().decode(hex('3fe13f')).ok, false, 'size update beyond the settings');
    assert.equal(d().decode(hex('41')).ok, false);
  });

  test('joined mid-connection: unknown table entries are left out and flagged, new ones learnt', () => {
    const d = new HpackDecoder({ midStream: true });
    const r = d.decode(hex('82 be 4003 6b65 7903 7661 6c'));
    assert.deepEqual(r, { ok: true, incomplete: true, fields: [[':method', 'GET'], ['key', 'val']] });
    assert.deepEqual(d.decode(hex('be')), { ok: true, incomplete: false, fields: [['key', 'val']] });
  });
});

describe('sniffing', () => {
  test('the client preface and a server SETTINGS frame', () => {
    assert.equal(sniffHttp2(Buffer.from('PRI * HTTP/2.0\r\n')), 'request');
    assert.equal(sniffHttp2(Buffer.from('PRI ')), 'request');
    assert.equal(sniffHttp2(hex('000006 04 00 00000000 0003 00000064')), 'response');
    assert.equal(sniffHttp2(Buffer.from('GET / HTTP/1.1\r\n')), undefined);
    assert.equal(looksLikeHttp2Frame(hex('000004 08 00 00000000 00001000')), true);
    assert.equal(looksLikeHttp2Frame(hex('000004 06 00 00000001 00000000')), false, 'PING on a stream');
  });
});

describe('real Node http2 connections', () => {
  test('concurrent streams, a large body, trailers and a reset', async () => {
    const big = Buffer.alloc(200_000, 7);
    const rec = await recordHttp2(
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (d: Buffer) => chunks.push(d));
        req.on('end', () => {
          if (req.url === '/reset') return req.stream.close(8);
          if (req.url === '/trailers') {
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.addTrailers({ 'x-checksum': 'abc' });
            return res.end('with trailers');
          }
          res.writeHead(req.url === '/big' ? 200 : 201, { 'content-type': 'application/json', 'x-path': req.url });
          res.end(req.url === '/big' ? big : JSON.stringify({ got: Buffer.concat(chunks).length }));
        });
      },
      async (client) => {
        const results = await Promise.all([
          call(client, { ':path': '/a', 'x-test': '1' }),
          call(client, { ':path': '/post', ':method': 'POST', 'content-type': 'application/json' }, Buffer.from('{"name":"cleartap"}')),
          call(client, { ':path': '/big' }),
          call(client, { ':path': '/trailers' }),
        ]);
        assert.equal(results[2].body.length, big.length);
        await call(client, { ':path': '/reset' }).catch(() => {});
      },
    );
    for (const seed of [1, 2, 3]) {
      const { exchanges, session } = parse(rec, seed);
      assert.equal(session.state, 'active', session.stats.failure);
      const byPath = new Map(exchanges.map((e) => [e.request.pseudo.path, e]));
      const a = byPath.get('/a')!;
      assert.equal(a.request.pseudo.method, 'GET');
      assert.match(a.request.pseudo.authority ?? '', /^127\.0\.0\.1:\d+$/);
      assert.deepEqual(a.request.headers.find(([n]) => n === 'x-test'), ['x-test', '1']);
      assert.equal(a.response?.pseudo.status, 201);
      assert.equal(Buffer.from(a.response!.body).toString(), '{"got":0}');
      const post = byPath.get('/post')!;
      assert.equal(Buffer.from(post.request.body).toString(), '{"name":"cleartap"}');
      assert.equal(Buffer.from(post.response!.body).toString(), '{"got":19}');
      const b = byPath.get('/big')!;
      assert.equal(b.response?.bodySize, big.length);
      assert.ok(Buffer.from(b.response!.body).equals(big));
      assert.ok(b.response!.complete);
      const t = byPath.get('/trailers')!;
      assert.deepEqual(t.response?.trailers, [['x-checksum', 'abc']]);
      const r = byPath.get('/reset')!;
      assert.deepEqual(r.reset && { name: r.reset.errorName, by: r.reset.by }, { name: 'CANCEL', by: 'response' });
    }
  });

  test('gRPC-shaped calls: length-prefixed messages, grpc-status in trailers, a streaming response', async () => {
    const frame = (payload: string) => {
      const b = Buffer.alloc(5 + payload.length);
      b.writeUInt32BE(payload.length, 1);
      b.write(payload, 5);
      return b;
    };
    const rec = await recordHttp2(
      (req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/grpc' });
          res.addTrailers({ 'grpc-status': req.url === '/pkg.Echo/Fail' ? '5' : '0', 'grpc-message': req.url === '/pkg.Echo/Fail' ? 'not%20found' : '' });
          if (req.url === '/pkg.Echo/Stream') for (const m of ['one', 'two', 'three']) res.write(frame(m));
          else if (req.url !== '/pkg.Echo/Fail') res.write(frame('pong'));
          res.end();
        });
      },
      async (client) => {
        const h = (path: string) => ({ ':path': path, ':method': 'POST', 'content-type': 'application/grpc', te: 'trailers' });
        await call(client, h('/pkg.Echo/Ping'), frame('ping'));
        await call(client, h('/pkg.Echo/Stream'), frame('go'));
        await call(client, h('/pkg.Echo/Fail'), frame('x'));
      },
    );
    const { exchanges } = parse(rec, 5);
    assert.deepEqual(exchanges.map((e) => [e.request.pseudo.path, e.response?.trailers?.find(([n]) => n === 'grpc-status')?.[1]]), [
      ['/pkg.Echo/Ping', '0'],
      ['/pkg.Echo/Stream', '0'],
      ['/pkg.Echo/Fail', '5'],
    ]);
    assert.equal(exchanges[1].response?.bodySize, 3 * 5 + 3 + 3 + 5);
  });

  test('joined mid-connection: later streams come out, flagged where the table was needed', async () => {
    const rec = await recordHttp2(
      (req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-server': 'same-every-time' });
        res.end(`for ${req.url}`);
      },
      async (client) => {
        await call(client, { ':path': '/first', 'x-client': 'repeated-value' });
        await call(client, { ':path': '/second', 'x-client': 'repeated-value' });
      },
    );
    // Start each direction at its second HEADERS frame, as a capture attached between the two requests would.
    const mid = new Http2Session({}, { midStream: true });
    mid.push('request', rec.request.subarray(frameStart(rec.request, 2, true)), 1);
    mid.push('response', rec.response.subarray(frameStart(rec.response, 2, false)), 2);
    const ex = [...mid.take(), ...mid.flush()];
    assert.equal(mid.state, 'active', mid.stats.failure);
    assert.equal(ex.length, 1);
    assert.equal(Buffer.from(ex[0].response!.body).toString(), 'for /second');
    assert.equal(ex[0].headersIncomplete, true, 'fields indexed by the first exchange are unknown');
  });
});

/** Offset of the n-th HEADERS frame in one direction's bytes (after the preface for the client). */
function frameStart(b: Buffer, n: number, client: boolean): number {
  let at = client ? 24 : 0;
  let seen = 0;
  while (at + 9 <= b.length) {
    const len = (b[at] << 16) | (b[at + 1] << 8) | b[at + 2];
    if (b[at + 3] === 1 && ++seen === n) return at;
    at += 9 + len;
  }
  throw new Error('frame not found');
}

describe('robustness', () => {
  test('fuzz: random bytes and mutated recordings never throw; parsing a recording does not depend on how it is cut', async () => {
    const rec = await recordHttp2(
      (req, res) => res.end(`ok ${req.url}`),
      async (client) => {
        await Promise.all([call(client, { ':path': '/x' }), call(client, { ':path': '/y' })]);
      },
    );
    const summary = (ex: Http2Exchange[]) => ex.map((e) => `${e.streamId} ${e.request.pseudo.path} ${e.response?.pseudo.status} ${Buffer.from(e.response?.body ?? []).toString()}`);
    const reference = summary(parse(rec, 1).exchanges);
    assert.equal(reference.length, 2);
    for (let seed = 2; seed < 40; seed++) assert.deepEqual(summary(parse(rec, seed).exchanges), reference);
    const rnd = new SeededRandom(77);
    for (let i = 0; i < 400; i++) {
      const mutate = (b: Buffer) => {
        const c = Buffer.from(rnd.chance(0.2) ? Buffer.from(Array.from({ length: rnd.int(0, 400) }, () => rnd.int(0, 255))) : b);
        for (let k = rnd.int(1, 6); k > 0 && c.length > 0; k--) c[rnd.int(0, c.length - 1)] = rnd.int(0, 255);
        return c;
      };
      const s = new Http2Session({}, { midStream: rnd.chance(0.3) });
      s.push('request', mutate(rec.request), 1);
      if (rnd.chance(0.3)) s.gap('response', rnd.int(1, 50), 2);
      s.push('response', mutate(rec.response), 3);
      s.take();
      s.flush();
    }
  });
});

// Flows that carry HTTP/2: from the preface, and joined late (a connection that predates the agent).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, recordHttp2 } from '../protocols/http2/recording-fixture.ts';
import type { Http2Exchange } from '../protocols/http2/index.ts';
import { newStreamCounters } from './counters.ts';
import { Flow, RECV, SEND, type SocketInfo } from './flow.ts';

const socket = (direction: 'egress' | 'ingress'): SocketInfo => ({ pid: 1, fd: 3, connId: 9, ssl: 0, direction });

function nthHeaders(b: Buffer, n: number, client: boolean): number {
  let at = client ? 24 : 0;
  for (let seen = 0; at + 9 <= b.length; at += 9 + ((b[at] << 16) | (b[at + 1] << 8) | b[at + 2])) {
    if (b[at + 3] === 1 && ++seen === n) return at;
  }
  throw new Error('no such frame');
}

test('a flow joined in the middle of an HTTP/2 connection parses the streams after it, flagged and counted', async () => {
  const rec = await recordHttp2(
    (req, res) => res.end(`for ${req.url}`),
    async (client) => {
      await call(client, { ':path': '/first', 'x-client': 'repeated' });
      await call(client, { ':path': '/second', 'x-client': 'repeated' });
    },
  );
  const counters = newStreamCounters();
  const flow = new Flow({ id: 'c1', pid: 1, ssl: 0, tlsLibrary: undefined, socket: socket('egress'), tsNs: 1 }, counters, {});
  const req = rec.request.subarray(nthHeaders(rec.request, 2, true));
  const res = rec.response.subarray(nthHeaders(rec.response, 2, false));
  flow.ingest(SEND, 1000, req, 0, 2);
  flow.ingest(RECV, 5000, res, 0, 3);
  const ex = [...flow.take(), ...flow.finish(4)] as Http2Exchange[];
  assert.equal(counters.http2JoinedLate, 1);
  assert.equal(flow.sendRole, 'request');
  assert.equal(ex.length, 1);
  assert.equal(Buffer.from(ex[0].response!.body).toString(), 'for /second');
  assert.equal(ex[0].headersIncomplete, true);
});

test('bytes that are not whole HTTP/2 frames do not start an HTTP/2 flow', () => {
  const counters = newStreamCounters();
  const flow = new Flow({ id: 'c2', pid: 1, ssl: 0, tlsLibrary: undefined, socket: socket('egress'), tsNs: 1 }, counters, {});
  flow.ingest(SEND, 0, Buffer.from([0, 0, 4, 8, 0, 0, 0, 0, 0, 1, 2]), 0, 2); // a WINDOW_UPDATE cut short
  assert.equal(counters.http2JoinedLate, 0);
  assert.equal(counters.notHttpBytes, 11);
});

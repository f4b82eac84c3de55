import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { feedSteps } from './fixtures/feed.ts';
import {
  bytes, concat, CONNECT_TUNNEL, CONVERSATIONS, DELETE_CLOSE, GET_HTTP10, GET_QUERY, GET_SIMPLE,
  GET_WEBSOCKET_UPGRADE, HEAD_SIMPLE, headLength, OPTIONS_STAR, POST_CHUNKED_EXT_TRAILERS, POST_CL, POST_CL_BODY,
  POST_EXPECT_BODY, POST_EXPECT_HEAD, RESP_100_CONTINUE, RESP_101_WEBSOCKET, RESP_103_EARLY_HINTS, RESP_200_CL,
  RESP_200_CONNECT, RESP_201_JSON, RESP_204, RESP_304, RESP_407, RESP_CHUNKED_BODY, RESP_CHUNKED_TRAILERS,
  RESP_CLOSE_DELIMITED, RESP_HEAD_CL, text, WS_CLIENT_FRAME, WS_SERVER_FRAME,
} from './fixtures/messages.ts';
import { Http1Session } from './session.ts';
import type { Http1Message } from './types.ts';

const conversation = (name: string) => {
  const c = CONVERSATIONS.find((x) => x.name.startsWith(name));
  if (!c) throw new Error(`no conversation ${name}`);
  return c;
};

/** The frame boundaries of a message that is exactly `fixture` on the wire. */
function assertFramed(m: Http1Message<unknown> | undefined, fixture: Uint8Array, body: string): void {
  assert.ok(m, 'message present');
  assert.equal(m.wireBytes, fixture.length, 'wireBytes');
  assert.equal((m.head as { headerBytes: number }).headerBytes, headLength(fixture), 'headerBytes');
  assert.equal(text(m.body), body, 'body');
  assert.equal(m.bodySize, body.length, 'bodySize');
  assert.equal(m.bodyTruncated, false);
  assert.equal(m.gapBytes, 0);
  assert.equal(m.complete, true);
}

describe('Http1Session: keep-alive and pipelining', () => {
  test('keep-alive: three exchanges in order, each framed exactly, trailers kept', () => {
    const r = feedSteps(conversation('keep-alive').steps);
    assert.equal(r.exchanges.length, 3);
    const [a, b, c] = r.exchanges;
    assertFramed(a.request, GET_SIMPLE, '');
    assertFramed(a.response, RESP_200_CL, 'hello');
    assertFramed(b.request, POST_CL, POST_CL_BODY);
    assertFramed(b.response, RESP_201_JSON, '{"id":7}\n');
    assertFramed(c.request, POST_CHUNKED_EXT_TRAILERS, 'hello world');
    assert.deepEqual(c.request.trailers, [['X-Checksum', 'abc123']]);
    assertFramed(c.response, RESP_CHUNKED_TRAILERS, RESP_CHUNKED_BODY);
    assert.deepEqual(c.response?.trailers, [['Server-Timing', 'db;dur=53']]);
    assert.equal(a.request.firstByteNs, 1);
    assert.equal(a.response?.firstByteNs, 2);
    assert.equal(c.response?.lastByteNs, 6);
    assert.deepEqual(r.stats, {
      messages: 6, invalid: 0, gapBytes: 0, resyncs: 0, orphanResponses: 0, droppedMessages: 0, skippedBytes: 0,
      unansweredRequests: 0,
    });
  });

  test('many requests on one connection: 500 exchanges', () => {
    const s = new Http1Session();
    for (let i = 0; i < 500; i++) {
      s.push('request', bytes(`GET /item/${i} HTTP/1.1\r\nHost: h\r\n\r\n`), 2 * i);
      s.push('response', bytes(`HTTP/1.1 200 OK\r\nContent-Length: ${String(i).length}\r\n\r\n${i}`), 2 * i + 1);
    }
    const ex = s.take();
    assert.equal(ex.length, 500);
    ex.forEach((e, i) => {
      assert.equal(e.request.head.target, `/item/${i}`);
      assert.equal(text(e.response?.body ?? new Uint8Array()), String(i));
    });
    assert.deepEqual(s.take(), []);
  });

  test('pipelining pairs FIFO; the HEAD response is framed without a body', () => {
    const r = feedSteps(conversation('pipelined').steps);
    assert.deepEqual(r.exchanges.map((e) => [e.request.head.method, e.response?.head.status]), [
      ['HEAD', 200], ['GET', 200], ['OPTIONS', 204], ['DELETE', 200],
    ]);
    const [head, get, options, del] = r.exchanges;
    assertFramed(head.request, HEAD_SIMPLE, '');
    assertFramed(head.response, RESP_HEAD_CL, '');
    assertFramed(get.request, GET_QUERY, '');
    assertFramed(get.response, RESP_CHUNKED_TRAILERS, RESP_CHUNKED_BODY);
    assertFramed(options.request, OPTIONS_STAR, '');
    assertFramed(options.response, RESP_204, '');
    assertFramed(del.request, DELETE_CLOSE, '');
    assertFramed(del.response, RESP_200_CL, 'hello');
  });

  test('an exchange is emitted only when both sides are finished, never ahead of an earlier one', () => {
    const s = new Http1Session();
    s.push('request', concat(GET_SIMPLE, POST_CL.subarray(0, 20)), 1);
    assert.deepEqual(s.take(), []);
    s.push('response', RESP_200_CL.subarray(0, RESP_200_CL.length - 1), 2);
    assert.deepEqual(s.take(), [], 'response body not finished');
    s.push('response', RESP_200_CL.subarray(RESP_200_CL.length - 1), 3);
    const first = s.take();
    assert.equal(first.length, 1);
    assert.equal(first[0].response?.lastByteNs, 3);
    s.push('response', RESP_201_JSON, 4);
    assert.deepEqual(s.take(), [], 'request body not finished');
    s.push('request', POST_CL.subarray(20), 5);
    const second = s.take();
    assert.equal(second.length, 1);
    assert.equal(second[0].request.firstByteNs, 1);
    assert.equal(second[0].request.lastByteNs, 5);
  });
});

describe('Http1Session: responses without bodies and interim responses', () => {
  test('100-continue: the 100 and 103 are informational, the body arrives after the 100', () => {
    const r = feedSteps(conversation('100-continue').steps);
    assert.equal(r.exchanges.length, 1);
    const [e] = r.exchanges;
    assertFramed(e.request, concat(POST_EXPECT_HEAD, POST_EXPECT_BODY), 'hello world');
    assert.equal(e.request.lastByteNs, 3);
    assert.deepEqual(e.informational?.map((h) => [h.status, h.reason, h.headerBytes]), [
      [100, 'Continue', RESP_100_CONTINUE.length],
      [103, 'Early Hints', RESP_103_EARLY_HINTS.length],
    ]);
    assertFramed(e.response, RESP_201_JSON, '{"id":7}\n');
    assert.equal(r.stats.messages, 4);
  });

  test('204 and 304 end at their heads even with Content-Length', () => {
    const r = feedSteps(conversation('204 and 304').steps);
    assert.deepEqual(r.exchanges.map((e) => e.response?.head.status), [304, 204, 200]);
    assertFramed(r.exchanges[0].response, RESP_304, '');
    assertFramed(r.exchanges[1].response, RESP_204, '');
  });

  test('read-until-close: the body ends at end(), HTTP/1.0 request has no body', () => {
    const s = new Http1Session();
    s.push('request', GET_HTTP10, 1);
    s.push('response', RESP_CLOSE_DELIMITED, 2);
    s.push('response', bytes(' and more'), 3);
    assert.deepEqual(s.take(), []);
    s.end('response', 4);
    const [e] = s.take();
    assertFramed(e.request, GET_HTTP10, '');
    assert.equal(text(e.response?.body ?? new Uint8Array()), 'until the server closes and more');
    assert.equal(e.response?.wireBytes, RESP_CLOSE_DELIMITED.length + 9);
    assert.equal(e.response?.complete, true);
    assert.equal(e.response?.lastByteNs, 3);
  });
});

describe('Http1Session: Connection: close', () => {
  test('HTTP/1.1 with Connection: close and no length reads until close; a partial close body is still complete', () => {
    const s = new Http1Session();
    s.push('request', DELETE_CLOSE, 1);
    s.push('response', bytes('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\ndeleted'), 2);
    s.end('request', 3);
    assert.deepEqual(s.take(), []);
    s.end('response', 4);
    const [e] = s.take();
    assert.equal(text(e.response?.body ?? new Uint8Array()), 'deleted');
    assert.equal(e.response?.complete, true);
    assert.equal(e.request.complete, true);
  });

  test('Connection: close with a Content-Length is framed by the length, not the close', () => {
    const s = new Http1Session();
    s.push('request', DELETE_CLOSE, 1);
    s.push('response', bytes('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'), 2);
    assert.equal(text(s.take()[0].response?.body ?? new Uint8Array()), 'ok');
  });
});

describe('Http1Session: upgrades', () => {
  test('websocket: upgraded exchange, frames after the 101 are skipped, not parsed', () => {
    const r = feedSteps(conversation('websocket upgrade').steps);
    assert.equal(r.state, 'upgraded');
    assert.equal(r.exchanges.length, 2);
    assert.equal(r.exchanges[0].upgraded, undefined);
    const up = r.exchanges[1];
    assert.equal(up.upgraded, true);
    assertFramed(up.request, GET_WEBSOCKET_UPGRADE, '');
    assertFramed(up.response, RESP_101_WEBSOCKET, '');
    assert.equal(r.stats.skippedBytes, WS_SERVER_FRAME.length + WS_CLIENT_FRAME.length);
    assert.equal(r.stats.invalid, 0);
  });

  test('client frames sent before the 101 are held, then dropped with the upgrade', () => {
    const r = feedSteps(conversation('websocket client frame').steps);
    assert.equal(r.state, 'upgraded');
    assert.equal(r.exchanges.length, 1);
    assert.equal(r.exchanges[0].upgraded, true);
    assert.equal(r.stats.invalid, 0);
    assert.equal(r.stats.skippedBytes, WS_SERVER_FRAME.length + WS_CLIENT_FRAME.length);
  });

  test('CONNECT: 407 keeps HTTP going, 200 switches to a tunnel', () => {
    const r = feedSteps(conversation('CONNECT').steps);
    assert.equal(r.state, 'upgraded');
    assert.deepEqual(r.exchanges.map((e) => [e.response?.head.status, e.upgraded]), [[407, undefined], [200, true]]);
    assertFramed(r.exchanges[0].response, RESP_407, '');
    assertFramed(r.exchanges[1].response, RESP_200_CONNECT, '');
    assert.equal(r.stats.skippedBytes, 5); // the TLS record header after the 200
  });

  test('a refused upgrade releases the held request bytes: the next request is parsed', () => {
    const s = new Http1Session();
    s.push('request', concat(GET_WEBSOCKET_UPGRADE, GET_SIMPLE), 1);
    s.push('response', concat(bytes('HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n'), RESP_200_CL), 2);
    assert.deepEqual(s.take().map((e) => [e.request.head.target, e.response?.head.status, e.upgraded]), [
      ['/chat', 426, undefined], ['/index.html', 200, undefined],
    ]);
    assert.equal(s.state, 'active');
  });

  test('pushes after the upgrade are counted as skipped', () => {
    const s = new Http1Session();
    s.push('request', CONNECT_TUNNEL, 1);
    s.push('response', RESP_200_CONNECT, 2);
    s.push('request', bytes('0123456789'), 3);
    s.push('response', bytes('abc'), 4);
    assert.equal(s.stats.skippedBytes, 13);
    assert.equal(s.take().length, 1);
  });
});

describe('Http1Session: body limits', () => {
  test('bodies beyond maxBodyBytes are counted, not kept', () => {
    const big = 'x'.repeat(10_000);
    const s = new Http1Session({ maxBodyBytes: 1000 });
    s.push('request', bytes(`POST /up HTTP/1.1\r\nContent-Length: ${big.length}\r\n\r\n${big}`), 1);
    const chunk = `400\r\n${'y'.repeat(1024)}\r\n`;
    const chunked = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${chunk}0\r\n\r\n`;
    s.push('response', bytes(chunked), 2);
    const [e] = s.take();
    assert.equal(e.request.body.length, 1000);
    assert.equal(e.request.bodySize, 10_000);
    assert.equal(e.request.bodyTruncated, true);
    assert.equal(e.response?.body.length, 1000);
    assert.equal(e.response?.bodySize, 2048);
    assert.equal(e.response?.bodyTruncated, true);
    assert.equal(e.response?.wireBytes, chunked.length);
    assert.equal(e.response?.complete, true);
  });

  test('a 100 MB body streamed in 64 KiB pushes keeps only maxBodyBytes', () => {
    const s = new Http1Session({ maxBodyBytes: 4096 });
    const size = 100 * 1024 * 1024;
    s.push('request', GET_SIMPLE, 1);
    s.push('response', bytes(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`), 2);
    const piece = new Uint8Array(65536).fill(0x61);
    for (let sent = 0; sent < size; sent += piece.length) s.push('response', piece, 3);
    const [e] = s.take();
    assert.equal(e.response?.bodySize, size);
    assert.equal(e.response?.body.length, 4096);
    assert.equal(e.response?.body.buffer.byteLength, 4096, 'the kept buffer was allocated once, at its bound');
  });

  test('maxBodyBytes 0 keeps nothing but still frames', () => {
    const s = new Http1Session({ maxBodyBytes: 0 });
    s.push('request', concat(POST_CL, GET_SIMPLE), 1);
    s.push('response', concat(RESP_200_CL, RESP_200_CL), 2);
    const ex = s.take();
    assert.equal(ex.length, 2);
    assert.equal(ex[0].request.body.length, 0);
    assert.equal(ex[0].request.bodySize, 16);
    assert.equal(ex[0].request.bodyTruncated, true);
  });
});

describe('Http1Session: pairing rules the tracker relies on', () => {
  test('response bytes pushed before their request are held, then paired (tsNs decides)', () => {
    const s = new Http1Session();
    s.push('response', RESP_200_CL, 5);
    assert.deepEqual(s.take(), []);
    s.push('request', GET_SIMPLE, 4);
    const [e] = s.take();
    assert.equal(e.response?.head.status, 200);
    assert.equal(s.stats.orphanResponses, 0);
  });

  test('a response older than the oldest waiting request is an orphan: counted, not emitted', () => {
    const s = new Http1Session();
    s.push('response', RESP_201_JSON, 1); // answers a request sent before the capture started
    s.push('request', GET_SIMPLE, 2);
    s.push('response', RESP_200_CL, 3);
    const ex = s.take();
    assert.equal(ex.length, 1);
    assert.equal(ex[0].response?.head.status, 200);
    assert.equal(s.stats.orphanResponses, 1);
  });

  test('held responses are orphans once the request side ends, or once they exceed maxHeaderBytes', () => {
    const s = new Http1Session();
    s.push('response', RESP_200_CL, 1);
    s.end('request', 2);
    assert.equal(s.stats.orphanResponses, 1);
    const t = new Http1Session({ maxHeaderBytes: 100 });
    t.push('response', concat(RESP_200_CL, RESP_200_CL, RESP_200_CL), 1);
    assert.ok(t.stats.orphanResponses >= 1);
  });

  test('end(response) answers every waiting request with nothing; end(request) finishes a partial one', () => {
    const s = new Http1Session();
    const postCut = headLength(POST_CL) + 5;
    s.push('request', concat(GET_SIMPLE, GET_QUERY, POST_CL.subarray(0, postCut)), 1);
    s.push('response', RESP_200_CL, 2);
    assert.equal(s.take().length, 1);
    s.end('response', 3);
    const unanswered = s.take();
    assert.equal(unanswered.length, 1, 'GET_QUERY is done, the POST still being sent waits');
    assert.equal(unanswered[0].response, undefined);
    s.end('request', 4);
    const [post] = s.take();
    assert.equal(post.request.complete, false);
    assert.equal(post.request.wireBytes, postCut);
    assert.equal(text(post.request.body), POST_CL_BODY.slice(0, 5));
    assert.equal(s.stats.unansweredRequests, 2);
  });

  test('a partial head at end() is dropped and counted, not reported', () => {
    const s = new Http1Session();
    s.push('request', POST_CL.subarray(0, 30), 1);
    s.end('request', 2);
    s.end('response', 2);
    assert.deepEqual(s.take(), []);
    assert.equal(s.stats.droppedMessages, 1);
    assert.equal(s.stats.skippedBytes, 30);
  });

  test('end(request) alone leaves the exchange waiting for its response', () => {
    const s = new Http1Session();
    s.push('request', GET_SIMPLE, 1);
    s.end('request', 2);
    assert.deepEqual(s.take(), []);
    s.push('response', RESP_200_CL, 3);
    assert.equal(s.take()[0].response?.head.status, 200);
  });

  test('flush() emits everything pending, unfinished messages with complete: false', () => {
    const s = new Http1Session();
    const postCut = headLength(POST_CL) + 5;
    s.push('request', concat(GET_SIMPLE, GET_QUERY, POST_CL.subarray(0, postCut)), 1);
    const respCut = headLength(RESP_201_JSON) + 3;
    s.push('response', concat(RESP_200_CL, RESP_201_JSON.subarray(0, respCut)), 2);
    const ex = s.flush();
    assert.deepEqual(ex.map((e) => [e.request.complete, e.response?.complete]), [
      [true, true], [true, false], [false, undefined],
    ]);
    assert.equal(ex[1].response?.wireBytes, respCut);
    assert.equal(text(ex[1].response?.body ?? new Uint8Array()), '{"i');
    assert.equal(ex[2].request.wireBytes, postCut);
    // The rest of the flushed messages is still framed (stays in sync) but not reported again, and the
    // response to the flushed POST, when it comes, is skipped rather than paired with the next request.
    s.push('request', concat(POST_CL.subarray(postCut), GET_SIMPLE), 3);
    s.push('response', concat(RESP_201_JSON.subarray(respCut), RESP_204), 4);
    assert.deepEqual(s.take(), []);
    assert.equal(s.stats.orphanResponses, 1);
    s.push('response', RESP_200_CL, 5);
    const after = s.take();
    assert.deepEqual(after.map((e) => [e.request.head.target, e.response?.head.status]), [['/index.html', 200]]);
    assert.equal(s.stats.invalid, 0);
  });

  test('maxPendingExchanges: the oldest waiting request is emitted unanswered; its late response is skipped', () => {
    const s = new Http1Session({ maxPendingExchanges: 2 });
    s.push('request', concat(HEAD_SIMPLE, GET_QUERY, GET_SIMPLE), 1);
    const evicted = s.take();
    assert.deepEqual(evicted.map((e) => [e.request.head.method, e.response]), [['HEAD', undefined]]);
    // The HEAD's late response is framed as a HEAD answer (no body despite Content-Length), then skipped.
    s.push('response', concat(RESP_HEAD_CL, RESP_204, RESP_200_CL), 2);
    assert.deepEqual(s.take().map((e) => [e.request.head.target, e.response?.head.status]), [
      ['/search?q=a%20b&page=2', 204], ['/index.html', 200],
    ]);
    assert.equal(s.stats.orphanResponses, 1);
    assert.equal(s.stats.unansweredRequests, 1);
  });

  test('a one-directional capture stays bounded: requests are emitted as the queue overflows', () => {
    const s = new Http1Session();
    let emitted = 0;
    for (let i = 0; i < 1000; i++) {
      s.push('request', GET_SIMPLE, i);
      emitted += s.take().length;
    }
    assert.equal(emitted, 1000 - 128);
    assert.equal(s.flush().length, 128);
  });
});

describe('Http1Session: unpaired switches', () => {
  test('a 101 nobody asked for (capture joined late) still stops parsing; waiting requests are emitted', () => {
    const s = new Http1Session();
    s.push('response', RESP_101_WEBSOCKET, 1); // older than any request seen: an orphan
    s.push('request', GET_SIMPLE, 2);
    s.push('response', WS_SERVER_FRAME, 3);
    assert.equal(s.state, 'upgraded');
    assert.equal(s.stats.orphanResponses, 1);
    // GET_SIMPLE came after the switch: it is reported unanswered at once rather than kept forever.
    const [e] = s.take();
    assert.equal(e.request.head.target, '/index.html');
    assert.equal(e.response, undefined);
    assert.equal(s.stats.skippedBytes, WS_SERVER_FRAME.length);
  });

  test('the late answer to a flushed CONNECT switches protocols too', () => {
    const s = new Http1Session();
    s.push('request', CONNECT_TUNNEL, 1);
    assert.equal(s.flush().length, 1);
    s.push('response', concat(RESP_200_CONNECT, bytes('\x16\x03\x01')), 2);
    assert.equal(s.state, 'upgraded');
    assert.equal(s.stats.orphanResponses, 1);
    assert.equal(s.stats.skippedBytes, 3);
  });
});

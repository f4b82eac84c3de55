// Capture gaps and bad bytes: the session counts what it loses, resyncs at the next message start, and never
// throws.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bytes, concat, GET_QUERY, GET_SIMPLE, headLength, POST_CHUNKED_EXT_TRAILERS, POST_CL, RESP_200_CL,
  RESP_201_JSON, RESP_CHUNKED_TRAILERS, RESP_CL_CONFLICT, RESP_CL_LIST_SAME, text,
} from './fixtures/messages.ts';
import { MAX_CONSECUTIVE_INVALID } from './exchange-pairing.ts';
import { Http1Session } from './session.ts';

describe('gaps', () => {
  test('a gap inside a Content-Length body: framing continues, the kept body stops at the hole', () => {
    const s = new Http1Session();
    const bodyStart = headLength(POST_CL);
    s.push('request', POST_CL.subarray(0, bodyStart + 4), 1);
    s.gap('request', 6, 2);
    s.push('request', concat(POST_CL.subarray(bodyStart + 10), GET_SIMPLE), 3);
    s.push('response', concat(RESP_201_JSON, RESP_200_CL), 4);
    const [post, get] = s.take();
    assert.equal(text(post.request.body), '{"na');
    assert.equal(post.request.bodySize, 16);
    assert.equal(post.request.bodyTruncated, true);
    assert.equal(post.request.gapBytes, 6);
    assert.equal(post.request.wireBytes, POST_CL.length);
    assert.equal(post.request.complete, true);
    assert.equal(get.request.head.target, '/index.html');
    assert.equal(s.stats.gapBytes, 6);
    assert.equal(s.stats.resyncs, 0);
  });

  test('a gap that covers the end of a body and the start of the next head: resync, response lost', () => {
    const s = new Http1Session();
    s.push('request', concat(GET_SIMPLE, GET_QUERY, GET_SIMPLE), 1);
    const cut = RESP_200_CL.length - 2;
    s.push('response', RESP_200_CL.subarray(0, cut), 2);
    s.gap('response', 2 + 30, 3); // the last 2 body bytes and the first 30 bytes of RESP_201_JSON
    s.push('response', concat(RESP_201_JSON.subarray(30), RESP_CHUNKED_TRAILERS), 4);
    const ex = s.take();
    assert.deepEqual(ex.map((e) => [e.request.head.target, e.response?.head.status]), [
      ['/index.html', 200], ['/search?q=a%20b&page=2', undefined], ['/index.html', 200],
    ]);
    assert.equal(ex[0].response?.gapBytes, 2);
    assert.equal(ex[0].response?.complete, true);
    assert.equal(text(ex[2].response?.body ?? new Uint8Array()), 'Wikipedia in\r\n\r\nchunks.');
    assert.equal(s.stats.resyncs, 1);
    assert.equal(s.stats.skippedBytes, RESP_201_JSON.length - 30);
    assert.equal(s.stats.unansweredRequests, 1);
  });

  test('a gap in a head drops the partial message and resyncs at the next request line', () => {
    const s = new Http1Session();
    s.push('request', GET_SIMPLE.subarray(0, 20), 1);
    s.gap('request', 10, 2);
    s.push('request', concat(GET_SIMPLE.subarray(30), GET_QUERY), 3);
    s.push('response', RESP_200_CL, 4);
    const [e] = s.take();
    assert.equal(e.request.head.target, '/search?q=a%20b&page=2');
    assert.equal(s.stats.droppedMessages, 1);
    assert.equal(s.stats.resyncs, 1);
    assert.equal(s.stats.skippedBytes, 20 + GET_SIMPLE.length - 30);
  });

  test('a gap inside chunk data is absorbed; inside chunk framing the message ends incomplete', () => {
    const s = new Http1Session();
    const bodyStart = headLength(POST_CHUNKED_EXT_TRAILERS);
    // "5;name=value\r\nhe" | lose "ll" | "o\r\n6 ..."
    s.push('request', POST_CHUNKED_EXT_TRAILERS.subarray(0, bodyStart + 16), 1);
    s.gap('request', 2, 2);
    s.push('request', POST_CHUNKED_EXT_TRAILERS.subarray(bodyStart + 18), 3);
    s.push('response', RESP_200_CL, 4);
    const [e] = s.take();
    assert.equal(e.request.complete, true);
    assert.equal(e.request.bodySize, 11);
    assert.equal(text(e.request.body), 'he');
    assert.equal(e.request.gapBytes, 2);
    assert.equal(e.request.wireBytes, POST_CHUNKED_EXT_TRAILERS.length);

    const t = new Http1Session();
    t.push('request', POST_CHUNKED_EXT_TRAILERS.subarray(0, bodyStart + 3), 1); // inside "5;name=value"
    t.gap('request', 40, 2);
    t.push('request', GET_SIMPLE, 3);
    t.push('response', concat(RESP_200_CL, RESP_201_JSON), 4);
    const ex = t.take();
    assert.deepEqual(ex.map((x) => [x.request.head.method, x.request.complete, x.response?.head.status]), [
      ['POST', false, 200], ['GET', true, 201],
    ]);
    assert.equal(t.stats.resyncs, 1);
  });

  test('a gap in a read-until-close body keeps the framing', () => {
    const s = new Http1Session();
    s.push('request', GET_SIMPLE, 1);
    s.push('response', bytes('HTTP/1.1 200 OK\r\n\r\nabc'), 2);
    s.gap('response', 100, 3);
    s.push('response', bytes('xyz'), 4);
    s.end('response', 5);
    const [e] = s.take();
    assert.equal(e.response?.bodySize, 106);
    assert.equal(text(e.response?.body ?? new Uint8Array()), 'abc');
    assert.equal(e.response?.complete, true);
  });

  test('gap(role, 0) before the first push: joined mid-stream, resync to the first message start', () => {
    const s = new Http1Session();
    s.gap('request', 0, 0);
    s.gap('response', 0, 0);
    s.push('request', concat(bytes('tail of an earlier body\r\n'), GET_SIMPLE), 1);
    s.push('response', concat(bytes('"}\n'), RESP_200_CL), 2);
    const [e] = s.take();
    assert.equal(e.request.head.target, '/index.html');
    assert.equal(e.response?.head.status, 200);
    assert.equal(s.stats.resyncs, 2);
    assert.equal(s.stats.invalid, 0);
  });
});

describe('invalid bytes', () => {
  test('conflicting Content-Length: invalid, the head is reported incomplete, parsing resumes after it', () => {
    const s = new Http1Session();
    s.push('request', concat(GET_SIMPLE, GET_QUERY), 1);
    s.push('response', concat(RESP_CL_CONFLICT, bytes('\r\n'), RESP_200_CL), 2);
    const ex = s.take();
    assert.equal(s.stats.invalid, 1);
    assert.equal(ex[0].response?.complete, false);
    assert.equal(ex[0].response?.wireBytes, headLength(RESP_CL_CONFLICT));
    assert.equal(ex[1].response?.head.status, 200);
    assert.equal(text(ex[1].response?.body ?? new Uint8Array()), 'hello');
    assert.equal(s.stats.skippedBytes, 8); // "hello!\r\n" before the next status line
  });

  test('resync only trusts line starts: a status line glued to unframed bytes is not taken', () => {
    const s = new Http1Session();
    s.push('request', concat(GET_SIMPLE, GET_QUERY, GET_SIMPLE), 1);
    s.push('response', concat(RESP_CL_CONFLICT, RESP_200_CL, RESP_201_JSON), 2);
    const ex = s.take();
    assert.equal(ex.length, 1);
    assert.equal(s.stats.skippedBytes, 6 + RESP_200_CL.length + RESP_201_JSON.length);
    s.end('response', 3);
    assert.deepEqual(s.take().map((e) => e.response?.head.status), [undefined, undefined]);
  });

  test('"Content-Length: 3, 3" is one length', () => {
    const s = new Http1Session();
    s.push('request', GET_SIMPLE, 1);
    s.push('response', RESP_CL_LIST_SAME, 2);
    assert.equal(text(s.take()[0].response?.body ?? new Uint8Array()), 'abc');
  });

  test('an invalid request line is dropped; the next request line is found', () => {
    const s = new Http1Session();
    s.push('request', concat(bytes('GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n'), GET_QUERY), 1);
    s.push('response', RESP_200_CL, 2);
    const [e] = s.take();
    assert.equal(e.request.head.target, '/search?q=a%20b&page=2');
    assert.equal(s.stats.invalid, 1);
    assert.equal(s.stats.droppedMessages, 1);
    assert.equal(s.stats.resyncs, 1);
  });

  test('oversized head: invalid, then the following request is parsed', () => {
    const s = new Http1Session({ maxHeaderBytes: 256 });
    const huge = bytes(`GET /big HTTP/1.1\r\nCookie: ${'c'.repeat(1000)}\r\n\r\n`);
    for (let i = 0; i < huge.length; i += 100) s.push('request', huge.subarray(i, i + 100), 1);
    s.push('request', GET_SIMPLE, 2);
    s.push('response', RESP_200_CL, 3);
    const [e] = s.take();
    assert.equal(e.request.head.target, '/index.html');
    assert.equal(s.stats.invalid, 1);
  });

  test('invalid chunked framing: invalid, message incomplete, resync', () => {
    const s = new Http1Session();
    s.push('request', concat(GET_SIMPLE, GET_QUERY), 1);
    s.push('response', concat(bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n'), RESP_200_CL), 2);
    const ex = s.take();
    assert.equal(ex[0].response?.complete, false);
    assert.equal(text(ex[0].response?.body ?? new Uint8Array()), 'hello');
    assert.equal(ex[1].response?.head.status, 200);
    assert.equal(s.stats.invalid, 1);
  });

  test(`${MAX_CONSECUTIVE_INVALID} invalid heads in a row: state failed, later bytes skipped, no throw`, () => {
    const s = new Http1Session();
    const bad = bytes('GET / HTTP/9.9\r\n\r\n');
    for (let i = 0; i < MAX_CONSECUTIVE_INVALID; i++) s.push('request', bad, i);
    assert.equal(s.state, 'failed');
    assert.equal(s.stats.invalid, MAX_CONSECUTIVE_INVALID);
    const before = s.stats.skippedBytes;
    s.push('request', GET_SIMPLE, 99);
    assert.equal(s.stats.skippedBytes, before + GET_SIMPLE.length);
    assert.deepEqual(s.take(), []);
  });

  test('a valid message in between resets the failure count', () => {
    const s = new Http1Session();
    const bad = bytes('GET / HTTP/9.9\r\n\r\n');
    for (let i = 0; i < 3 * MAX_CONSECUTIVE_INVALID; i++) {
      s.push('request', i % (MAX_CONSECUTIVE_INVALID - 1) === 0 ? GET_SIMPLE : bad, i);
    }
    assert.equal(s.state, 'active');
  });

  test('non-HTTP bytes on a stream: skipped and counted, nothing emitted', () => {
    const s = new Http1Session();
    s.push('request', bytes('\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03 random TLS-ish bytes\n\n'), 1);
    assert.deepEqual(s.take(), []);
    assert.equal(s.stats.invalid, 1);
    assert.ok(s.stats.skippedBytes > 0);
  });
});

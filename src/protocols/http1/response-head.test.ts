import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bytes, headLength, RESP_100_CONTINUE, RESP_200_CL, RESP_CHUNKED_TRAILERS, RESP_CLOSE_DELIMITED, RESP_LF_ONLY,
  RESP_NO_REASON, text,
} from './fixtures/messages.ts';
import { parseResponseHead } from './response-head.ts';

function ok(buf: Uint8Array) {
  const r = parseResponseHead(buf);
  assert.equal(r.kind, 'ok', JSON.stringify(r));
  if (r.kind !== 'ok') throw new Error('unreachable');
  return r;
}

function invalidAt(buf: Uint8Array, at: number, reason: RegExp): void {
  const r = parseResponseHead(buf);
  assert.equal(r.kind, 'invalid', `expected invalid for ${JSON.stringify(text(buf))}`);
  if (r.kind !== 'invalid') return;
  assert.equal(r.at, at, `${r.reason} at ${r.at}`);
  assert.match(r.reason, reason);
}

describe('parseResponseHead', () => {
  test('RESP_200_CL: status line, fields, consumed ends where the body starts', () => {
    const r = ok(RESP_200_CL);
    assert.equal(r.consumed, RESP_200_CL.length - 5);
    assert.deepEqual(r.frame, {
      version: 'HTTP/1.1',
      status: 200,
      reason: 'OK',
      headers: [['Content-Type', 'text/plain'], ['Content-Length', '5']],
      headerBytes: RESP_200_CL.length - 5,
    });
    assert.equal(text(RESP_200_CL.subarray(r.consumed)), 'hello');
  });

  test('needMore for every strict prefix of a head', () => {
    for (const fixture of [RESP_200_CL, RESP_CHUNKED_TRAILERS, RESP_LF_ONLY, RESP_100_CONTINUE]) {
      const n = headLength(fixture);
      for (let k = 0; k < n; k++) {
        assert.deepEqual(parseResponseHead(fixture.subarray(0, k)), { kind: 'needMore' }, `prefix ${k}`);
      }
      assert.equal(ok(fixture).consumed, n);
    }
  });

  test('reason phrases: missing, empty, with spaces and obs-text', () => {
    assert.equal(ok(RESP_NO_REASON).frame.reason, '');
    assert.equal(ok(bytes('HTTP/1.1 200 \r\n\r\n')).frame.reason, '');
    assert.equal(ok(bytes('HTTP/1.1 404 Not\tFound here\r\n\r\n')).frame.reason, 'Not\tFound here');
    assert.equal(ok(bytes('HTTP/1.1 200 D\xe9j\xe0 vu\r\n\r\n')).frame.reason, 'D\u00e9j\u00e0 vu');
  });

  test('LF-only heads and HTTP/1.0', () => {
    const lf = ok(RESP_LF_ONLY);
    assert.equal(lf.frame.status, 404);
    assert.equal(lf.consumed, headLength(RESP_LF_ONLY));
    assert.equal(ok(RESP_CLOSE_DELIMITED).frame.version, 'HTTP/1.0');
  });

  test('invalid status lines name the offending byte', () => {
    invalidAt(bytes('HTTP/2 200 OK\r\n\r\n'), 0, /version/);
    invalidAt(bytes('HTTP/1.2 200 OK\r\n\r\n'), 0, /version/);
    invalidAt(bytes('ICY 200 OK\r\n\r\n'), 0, /version/);
    invalidAt(bytes('HTTP/1.1200 OK\r\n\r\n'), 8, /space after version/);
    invalidAt(bytes('HTTP/1.1 20 OK\r\n\r\n'), 9, /three digits/);
    invalidAt(bytes('HTTP/1.1 099 OK\r\n\r\n'), 9, /three digits/);
    invalidAt(bytes('HTTP/1.1 2000 OK\r\n\r\n'), 12, /space after status/);
    invalidAt(bytes('HTTP/1.1 200 O\0K\r\n\r\n'), 14, /reason/);
    invalidAt(bytes('HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n'), 20, /field name/);
  });

  test('maxHeaderBytes applies to responses too', () => {
    const big = bytes(`HTTP/1.1 200 OK\r\nX: ${'z'.repeat(200)}\r\n\r\n`);
    const r = parseResponseHead(big, { maxHeaderBytes: 100 });
    assert.deepEqual(r, { kind: 'invalid', reason: 'head exceeds maxHeaderBytes', at: 100 });
    assert.equal(parseResponseHead(big, { maxHeaderBytes: big.length }).kind, 'ok');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bytes, CONNECT_TUNNEL, concat, GET_HTTP10, GET_LF_ONLY, GET_OBS_FOLD, GET_SIMPLE, headLength, OPTIONS_STAR,
  POST_CL, POST_CL_BODY, text,
} from './fixtures/messages.ts';
import { parseRequestHead } from './request-head.ts';

function ok(buf: Uint8Array, limits?: { maxHeaderBytes: number }) {
  const r = parseRequestHead(buf, limits);
  assert.equal(r.kind, 'ok', JSON.stringify(r));
  if (r.kind !== 'ok') throw new Error('unreachable');
  return r;
}

function invalidAt(buf: Uint8Array, at: number, reason?: RegExp): void {
  const r = parseRequestHead(buf);
  assert.equal(r.kind, 'invalid', `expected invalid for ${JSON.stringify(text(buf))}`);
  if (r.kind !== 'invalid') return;
  assert.equal(r.at, at, `${r.reason} at ${r.at}`);
  if (reason) assert.match(r.reason, reason);
}

describe('parseRequestHead', () => {
  test('GET_SIMPLE: fields in wire order, original case, consumed = the whole head', () => {
    const r = ok(GET_SIMPLE);
    assert.equal(r.consumed, GET_SIMPLE.length);
    assert.deepEqual(r.frame, {
      method: 'GET',
      target: '/index.html',
      version: 'HTTP/1.1',
      headers: [['Host', 'example.com'], ['User-Agent', 'curl/8.5.0'], ['Accept', '*/*']],
      headerBytes: GET_SIMPLE.length,
    });
  });

  test('POST_CL: consumed stops at the body, which is left in the buffer', () => {
    const r = ok(POST_CL);
    assert.equal(r.consumed, headLength(POST_CL));
    assert.equal(r.frame.headerBytes, r.consumed);
    assert.equal(text(POST_CL.subarray(r.consumed)), POST_CL_BODY);
  });

  test('needMore for every strict prefix of a head, and nothing is consumed', () => {
    for (const fixture of [GET_SIMPLE, GET_LF_ONLY, GET_OBS_FOLD]) {
      const n = headLength(fixture);
      for (let k = 0; k < n; k++) {
        assert.deepEqual(parseRequestHead(fixture.subarray(0, k)), { kind: 'needMore' }, `prefix ${k}`);
      }
      assert.equal(ok(fixture.subarray(0, n)).consumed, n);
    }
  });

  test('bare LF line endings (and mixed) are accepted', () => {
    const r = ok(GET_LF_ONLY);
    assert.equal(r.consumed, GET_LF_ONLY.length);
    assert.deepEqual(r.frame.headers, [['Host', 'example.com'], ['X-Mixed', 'crlf-here']]);
  });

  test('obs-fold joins with one space; obs-text is decoded as latin1', () => {
    const r = ok(GET_OBS_FOLD);
    assert.deepEqual(r.frame.headers, [['X-Long', 'first second'], ['X-Latin', 'caf\u00e9']]);
  });

  test('leading empty lines are skipped but counted in consumed', () => {
    const buf = concat(bytes('\r\n\n'), GET_SIMPLE);
    const r = ok(buf);
    assert.equal(r.consumed, GET_SIMPLE.length + 3);
    assert.equal(r.frame.headerBytes, r.consumed);
    assert.equal(r.frame.method, 'GET');
    assert.deepEqual(parseRequestHead(bytes('\r\n\r\n\r')), { kind: 'needMore' });
  });

  test('HTTP/1.0, asterisk and authority forms, repeated fields kept', () => {
    assert.equal(ok(GET_HTTP10).frame.version, 'HTTP/1.0');
    assert.equal(ok(OPTIONS_STAR).frame.target, '*');
    assert.equal(ok(CONNECT_TUNNEL).frame.target, 'example.com:443');
    const r = ok(bytes('GET / HTTP/1.1\r\nCookie: a=1\r\ncookie: b=2\r\nX-Empty:\r\nX-Pad: \t v \t\r\n\r\n'));
    assert.deepEqual(r.frame.headers, [['Cookie', 'a=1'], ['cookie', 'b=2'], ['X-Empty', ''], ['X-Pad', 'v']]);
  });

  test('custom method tokens parse (sniffing is stricter, parsing is not)', () => {
    assert.equal(ok(bytes('M-SEARCH * HTTP/1.1\r\n\r\n')).frame.method, 'M-SEARCH');
  });

  test('invalid start lines name the offending byte', () => {
    invalidAt(bytes('GET\0/ HTTP/1.1\r\n\r\n'), 3, /method/);
    invalidAt(bytes(' GET / HTTP/1.1\r\n\r\n'), 0, /method/);
    invalidAt(bytes('G(T / HTTP/1.1\r\n\r\n'), 1, /method/);
    invalidAt(bytes('GET  / HTTP/1.1\r\n\r\n'), 4, /request-target/);
    invalidAt(bytes('GET /a\x01b HTTP/1.1\r\n\r\n'), 6, /request-target/);
    invalidAt(bytes('GET /\r\n\r\n'), 5, /request-target/);
    invalidAt(bytes('GET / HTTP/2.0\r\n\r\n'), 6, /version/);
    invalidAt(bytes('GET / HTTP/1.1x\r\n\r\n'), 6, /version/);
    invalidAt(bytes('GET / http/1.1\r\n\r\n'), 6, /version/);
  });

  test('invalid field lines name the offending byte', () => {
    const start = 'GET / HTTP/1.1\r\n'.length;
    invalidAt(bytes('GET / HTTP/1.1\r\nHost : x\r\n\r\n'), start + 4, /field name/); // smuggling vector
    invalidAt(bytes('GET / HTTP/1.1\r\nHo\0st: x\r\n\r\n'), start + 2, /field name/);
    invalidAt(bytes('GET / HTTP/1.1\r\n: x\r\n\r\n'), start, /field name/);
    invalidAt(bytes('GET / HTTP/1.1\r\nNoColon\r\n\r\n'), start + 7, /field name/);
    invalidAt(bytes('GET / HTTP/1.1\r\nX: a\0b\r\n\r\n'), start + 4, /field value/);
    invalidAt(bytes('GET / HTTP/1.1\r\nX: a\rb\r\n\r\n'), start + 4, /field value/);
    invalidAt(bytes('GET / HTTP/1.1\r\n folded-first\r\n\r\n'), start, /continuation/);
  });

  test('maxHeaderBytes: invalid once exceeded without a complete head, whatever the split', () => {
    const limits = { maxHeaderBytes: 64 };
    const big = bytes(`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(100)}\r\n\r\n`);
    assert.deepEqual(parseRequestHead(big.subarray(0, 63), limits), { kind: 'needMore' });
    const r = parseRequestHead(big.subarray(0, 64), limits);
    assert.equal(r.kind, 'invalid');
    assert.equal(r.kind === 'invalid' && r.at, 64);
    assert.equal(parseRequestHead(big, limits).kind, 'invalid');
    // A head of exactly the limit is fine; one byte more is not.
    const exact = bytes(`GET / HTTP/1.1\r\nX: ${'b'.repeat(64 - 16 - 7)}\r\n\r\n`);
    assert.equal(exact.length, 64);
    assert.equal(ok(exact, limits).consumed, 64);
    assert.equal(parseRequestHead(concat(bytes('\n'), exact), limits).kind, 'invalid');
  });
});

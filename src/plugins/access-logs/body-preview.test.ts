import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpResponseRecord } from '../../core/transaction.ts';
import { bodyPreview, isBinaryType } from './body-preview.ts';
import { colorEnabled } from './color-mode.ts';
import { humanBytes } from './human-bytes.ts';
import { indentJson } from './json-indent.ts';
import { captureStream } from '../test-support.ts';

function response(contentType: string, body: string | Uint8Array, extra: Partial<HttpResponseRecord> = {}): HttpResponseRecord {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return {
    status: 200,
    reason: 'OK',
    version: 'HTTP/1.1',
    headers: contentType === '' ? [] : [['Content-Type', contentType]],
    body: bytes,
    bodySize: bytes.byteLength,
    bodyTruncated: false,
    ...extra,
  };
}

describe('bodyPreview', () => {
  it('JSON is re-indented without reparsing (big numbers keep their digits)', () => {
    assert.deepEqual(bodyPreview(response('application/json; charset=utf-8', '{"n":12345678901234567890,"a":[],"o":{"k":"v, w"}}')), [
      '{',
      '  "n": 12345678901234567890,',
      '  "a": [],',
      '  "o": {',
      '    "k": "v, w"',
      '  }',
      '}',
    ]);
  });

  it('binary types and undecodable bytes say so; empty says (empty); text is kept as lines', () => {
    assert.deepEqual(bodyPreview(response('image/png', new Uint8Array([0x89, 0x50]))), ['Body is in binary format (image/png)']);
    assert.deepEqual(bodyPreview(response('', new Uint8Array([0xff, 0x00]))), ['Body is in binary format (unknown type)']);
    assert.deepEqual(bodyPreview(response('text/plain', '')), ['(empty)']);
    assert.deepEqual(bodyPreview(response('text/plain', 'a\r\n\tb\n')), ['a', '  b']);
    const gz = response('text/html', '<p>');
    gz.headers.push(['Content-Encoding', 'gzip']);
    assert.deepEqual(bodyPreview(gz), ['Body is in binary format (text/html)']);
  });

  it('says when the body was cut, and when it was not captured at all', () => {
    assert.deepEqual(bodyPreview(response('text/plain', 'abc', { bodySize: 10, bodyTruncated: true })), ['abc', '(truncated: 3 of 10 bytes captured)']);
    assert.deepEqual(bodyPreview(response('text/plain', '', { bodySize: 10 })), ['(10 bytes, not captured)']);
  });

  it('isBinaryType', () => {
    for (const t of ['image/png', 'application/octet-stream', 'application/grpc+proto', 'font/woff2', 'application/pdf']) assert.ok(isBinaryType(t), t);
    for (const t of ['application/json', 'text/html', 'application/vnd.api+json', '']) assert.ok(!isBinaryType(t), t);
  });
});

describe('console helpers', () => {
  it('indentJson lays out a body cut short up to where it ends', () => {
    assert.deepEqual(indentJson('{"a":[1,2'), ['{', '  "a": [', '    1,', '    2']);
  });

  it('humanBytes prints like Go humanize.Bytes', () => {
    assert.deepEqual([0, 9, 96, 1264, 82854982, 1e12].map(humanBytes), ['0 B', '9 B', '96 B', '1.3 kB', '83 MB', '1.0 TB']);
  });

  it('colorEnabled: terminal only, NO_COLOR turns off, FORCE_COLOR and settings win', () => {
    const tty = captureStream(true);
    const pipe = captureStream(false);
    assert.equal(colorEnabled('auto', tty, {}), true);
    assert.equal(colorEnabled('auto', pipe, {}), false);
    assert.equal(colorEnabled('auto', tty, { NO_COLOR: '1' }), false);
    assert.equal(colorEnabled('auto', pipe, { FORCE_COLOR: '1' }), true);
    assert.equal(colorEnabled('auto', tty, { FORCE_COLOR: '0' }), false);
    assert.equal(colorEnabled('always', pipe, {}), true);
    assert.equal(colorEnabled('never', tty, { FORCE_COLOR: '1' }), false);
  });
});

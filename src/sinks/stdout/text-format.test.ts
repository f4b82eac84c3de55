import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getJsonTx, noResponseTx, postBinaryTx } from './fixtures.ts';
import { formatText } from './text-format.ts';

const GET_METADATA = `HTTP Transaction
================
Metadata:
  Transaction Time: 2025-01-01T00:00:00.000Z
  Duration: 42ms
  Direction: egress-external
  Request ID: tx-1
  Process ID: 1234
  Process: /usr/bin/curl
  Bytes Sent: 96
  Bytes Received: 112
  Connection ID: c1
  Local: 10.0.0.5:40312
  Remote: 93.184.216.34:443
  TLS Library: openssl
  User: alice (uid 1000)
  Command: curl -s https://api.example.com/v1/items/7?full=1
`;

describe('formatText', () => {
  it('GET with a JSON response at full: the whole block', () => {
    assert.equal(
      formatText(getJsonTx(), 'full'),
      `${GET_METADATA}
Request:
  Method: GET
  URL: https://api.example.com/v1/items/7?full=1
  Version: HTTP/1.1
  Headers:
    Host: api.example.com
    User-Agent: curl/7.88.1
    Accept: */*
  Body: (empty)

Response:
  Status: 200 OK
  Content-Type: application/json
  Headers:
    Content-Type: application/json
    Content-Length: 25
  Body:
    {"id":7,"name":"widget"}
`,
    );
  });

  it('summary has no Headers or Body; details adds Headers only; none is empty', () => {
    const summary = formatText(getJsonTx(), 'summary');
    assert.equal(
      summary,
      `${GET_METADATA}
Request:
  Method: GET
  URL: https://api.example.com/v1/items/7?full=1
  Version: HTTP/1.1

Response:
  Status: 200 OK
  Content-Type: application/json
`,
    );
    const details = formatText(getJsonTx(), 'details');
    assert.match(details, /\n {2}Headers:\n {4}Host: api\.example\.com\n/);
    assert.doesNotMatch(details, /Body:/);
    assert.equal(formatText(getJsonTx(), 'headers'), details);
    assert.equal(formatText(getJsonTx(), 'none'), '');
  });

  it('a binary body prints as (binary, N bytes)', () => {
    const text = formatText(postBinaryTx(), 'full');
    assert.match(text, /\nRequest:\n(?: {2}.*\n)*? {2}Body: \(binary, 13 bytes\)\n/);
    assert.match(text, /\n {2}User: root \(uid 0\)\n/);
    assert.match(text, /\n {2}Container ID: (ab){32}\n/);
    assert.match(text, /\nResponse:\n {2}Status: 201 Created\n {2}Headers:\n {4}Content-Length: 0\n {2}Body: \(empty\)\n$/);
  });

  it('missing response', () => {
    const text = formatText(noResponseTx(), 'full');
    assert.match(text, /\nResponse:\n {2}\(none: the exchange ended before a response was seen\)\n$/);
    assert.match(text, /\n {2}Gap Bytes: 4096\n/);
  });

  it('keeps repeated headers as separate lines in wire order', () => {
    const tx = getJsonTx();
    tx.response!.headers = [
      ['Set-Cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ];
    assert.match(formatText(tx, 'details'), /\n {4}Set-Cookie: a=1\n {4}set-cookie: b=2\n/);
  });

  it('a multi-line text body is indented line by line', () => {
    const tx = getJsonTx();
    tx.response!.body = new TextEncoder().encode('line one\r\nline two\n');
    tx.response!.bodySize = tx.response!.body.byteLength;
    assert.match(formatText(tx, 'full'), /\n {2}Body:\n {4}line one\n {4}line two\n$/);
  });

  it('a text body cut inside a multi-byte character stays text, with a truncation note', () => {
    const tx = getJsonTx();
    const bytes = new TextEncoder().encode('héllo wörld'); // ö is 2 bytes
    tx.response!.body = bytes.subarray(0, 9); // ends after the first byte of ö
    tx.response!.bodySize = 400;
    tx.response!.bodyTruncated = true;
    assert.match(formatText(tx, 'full'), /\n {2}Body:\n {4}héllo w\n {2}\(truncated: 9 of 400 bytes captured\)\n$/);
  });

  it('a body with terminal control bytes counts as binary', () => {
    const tx = getJsonTx();
    tx.response!.body = new TextEncoder().encode('ok\x1b[2Jgone');
    tx.response!.bodySize = 10;
    assert.match(formatText(tx, 'full'), /\n {2}Body: \(binary, 10 bytes\)\n$/);
  });

  it('control characters in header values and URLs are escaped', () => {
    const tx = getJsonTx();
    tx.request.url = 'https://x.example/\x1b]0;pwned\x07';
    tx.request.headers = [['X-Evil', 'a\x1b[31mb\x9b']];
    const text = formatText(tx, 'details');
    assert.match(text, /\n {2}URL: https:\/\/x\.example\/\\x1b\]0;pwned\\x07\n/);
    assert.match(text, /\n {4}X-Evil: a\\x1b\[31mb\\x9b\n/);
    assert.doesNotMatch(text, /[\x1b\x07\x9b]/);
  });
});

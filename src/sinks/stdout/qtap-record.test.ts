import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import {
  BINARY_BODY,
  getJsonTx,
  GET_JSON_RESPONSE_BODY,
  noResponseTx,
  postBinaryTx,
  repeatedHeadersTx,
} from './fixtures.ts';
import { toQtapRecord } from './qtap-record.ts';

/** Same content (readable diff) and same key order (the serialized text) as the golden record. */
function assertGolden(actual: unknown, golden: object): void {
  assert.deepStrictEqual(JSON.parse(JSON.stringify(actual)), golden);
  assert.equal(JSON.stringify(actual), JSON.stringify(golden));
}

const GET_METADATA = {
  process_id: '1234',
  process_exe: '/usr/bin/curl',
  bytes_sent: 96,
  bytes_received: 112,
  request_id: 'tx-1',
  connection_id: 'c1',
};
const GET_REQUEST_SUMMARY = {
  method: 'GET',
  url: 'https://api.example.com/v1/items/7?full=1',
  scheme: 'https',
  path: '/v1/items/7',
  authority: 'api.example.com',
  protocol: 'http1',
  user_agent: 'curl/7.88.1',
};
const GET_REQUEST_HEADERS = {
  ':method': 'GET',
  ':path': '/v1/items/7?full=1',
  ':scheme': 'https',
  ':authority': 'api.example.com',
  Host: 'api.example.com',
  'User-Agent': 'curl/7.88.1',
  Accept: '*/*',
};
const GET_CLEARTAP = {
  local: '10.0.0.5:40312',
  remote: '93.184.216.34:443',
  tls_library: 'openssl',
  uid: 1000,
  user: 'alice',
  cmdline: ['curl', '-s', 'https://api.example.com/v1/items/7?full=1'],
  http_version: 'HTTP/1.1',
  response_reason: 'OK',
  response_body_size: 25,
};

describe('toQtapRecord: GET with a JSON response', () => {
  it('summary: Qtap fields without headers or bodies', () => {
    assertGolden(toQtapRecord(getJsonTx(), 'summary'), {
      metadata: GET_METADATA,
      request: GET_REQUEST_SUMMARY,
      response: { status: 200, content_type: 'application/json' },
      transaction_time: '2025-01-01T00:00:00.000Z',
      duration_ms: 42,
      direction: 'egress-external',
      cleartap: GET_CLEARTAP,
    });
  });

  it('details: adds headers, pseudo-headers first', () => {
    assertGolden(toQtapRecord(getJsonTx(), 'details'), {
      metadata: GET_METADATA,
      request: { ...GET_REQUEST_SUMMARY, headers: GET_REQUEST_HEADERS },
      response: {
        status: 200,
        content_type: 'application/json',
        headers: { ':status': '200', 'Content-Type': 'application/json', 'Content-Length': '25' },
      },
      transaction_time: '2025-01-01T00:00:00.000Z',
      duration_ms: 42,
      direction: 'egress-external',
      cleartap: GET_CLEARTAP,
    });
  });

  it('full: adds the response body as base64; an empty request body is omitted', () => {
    const rec = toQtapRecord(getJsonTx(), 'full');
    assert.ok(rec !== null);
    assert.equal(rec.request.body, undefined);
    assert.equal(rec.response.body, 'eyJpZCI6NywibmFtZSI6IndpZGdldCJ9Cg==');
    assert.equal(Buffer.from(rec.response.body, 'base64').toString('utf8'), GET_JSON_RESPONSE_BODY);
  });
});

describe('toQtapRecord: POST with a binary body, at each level', () => {
  const METADATA = {
    process_id: '77',
    process_exe: '/usr/bin/python3.11',
    bytes_sent: 120,
    bytes_received: 38,
    request_id: 'tx-2',
    connection_id: 'c2',
  };
  const REQUEST = {
    method: 'POST',
    url: 'https://localhost:8443/upload',
    scheme: 'https',
    path: '/upload',
    authority: 'localhost:8443',
    protocol: 'http1',
    content_type: 'image/png',
  };
  const REQUEST_HEADERS = {
    ':method': 'POST',
    ':path': '/upload',
    ':scheme': 'https',
    ':authority': 'localhost:8443',
    Host: 'localhost:8443',
    'Content-Type': 'image/png',
    'Content-Length': '13',
  };
  const RESPONSE_HEADERS = { ':status': '201', 'Content-Length': '0' };
  const TAIL = {
    transaction_time: '2025-01-01T00:00:01.000Z',
    duration_ms: 1, // 0.3 ms: Qtap never reports 0
    direction: 'egress-internal',
    cleartap: {
      local: '[::1]:50000',
      remote: '[::1]:8443',
      tls_library: 'openssl',
      uid: 0,
      user: 'root',
      cmdline: ['python3', 'upload.py'],
      cgroup: `/libpod_parent/libpod-${'ab'.repeat(32)}`,
      container_id: 'ab'.repeat(32),
      http_version: 'HTTP/1.1',
      response_reason: 'Created',
      request_body_size: 13,
    },
  };
  const DETAILS = {
    metadata: METADATA,
    request: { ...REQUEST, headers: REQUEST_HEADERS },
    response: { status: 201, headers: RESPONSE_HEADERS },
    ...TAIL,
  };

  it('none: no record', () => {
    assert.equal(toQtapRecord(postBinaryTx(), 'none'), null);
  });

  it('summary', () => {
    assertGolden(toQtapRecord(postBinaryTx(), 'summary'), {
      metadata: METADATA,
      request: REQUEST,
      response: { status: 201 },
      ...TAIL,
    });
  });

  it('details, and its alias headers', () => {
    assertGolden(toQtapRecord(postBinaryTx(), 'details'), DETAILS);
    assertGolden(toQtapRecord(postBinaryTx(), 'headers'), DETAILS);
  });

  it('full: the binary body round-trips through base64', () => {
    const golden = {
      metadata: METADATA,
      request: { ...REQUEST, headers: REQUEST_HEADERS, body: 'iVBORw0KGgoAAAAN/w==' },
      response: { status: 201, headers: RESPONSE_HEADERS },
      ...TAIL,
    };
    const rec = toQtapRecord(postBinaryTx(), 'full');
    assertGolden(rec, golden);
    assert.deepEqual(new Uint8Array(Buffer.from(rec!.request.body!, 'base64')), BINARY_BODY);
  });

  it('base64 covers only the view, not the rest of its ArrayBuffer', () => {
    const tx = postBinaryTx();
    const backing = new Uint8Array(64).fill(0x41);
    backing.set(BINARY_BODY, 10);
    tx.request.body = backing.subarray(10, 10 + BINARY_BODY.byteLength);
    assert.equal(toQtapRecord(tx, 'full')!.request.body, 'iVBORw0KGgoAAAAN/w==');
  });
});

describe('toQtapRecord: edge cases', () => {
  it('missing response: status 422 (Qtap: unknown) and cleartap.no_response', () => {
    const rec = toQtapRecord(noResponseTx(), 'full');
    assert.ok(rec !== null);
    assert.deepEqual(rec.response, { status: 422 });
    assert.equal(rec.metadata.bytes_received, undefined); // 0 is omitted
    assert.equal(rec.cleartap?.no_response, true);
    assert.equal(rec.cleartap?.gap_bytes, 4096);
    assert.equal(rec.cleartap?.response_reason, undefined);
  });

  it('repeated header names are joined with ", " under their first spelling', () => {
    const tx = repeatedHeadersTx([
      ['Set-Cookie', 'a=1'],
      ['Vary', 'Accept'],
      ['set-cookie', 'b=2'],
      ['VARY', 'Origin'],
      ['Set-Cookie', 'c=3'],
      ['__proto__', 'x'],
    ]);
    const headers = toQtapRecord(tx, 'details')!.response.headers!;
    assert.equal(
      JSON.stringify(headers),
      '{":status":"200","Set-Cookie":"a=1, b=2, c=3","Vary":"Accept, Origin","__proto__":"x"}',
    );
    // A wire header named __proto__ is an own key and never changes the object's prototype.
    assert.ok(Object.hasOwn(headers, '__proto__'));
    assert.equal(Object.getPrototypeOf(headers), Object.prototype);
  });

  it('User-Agent and Content-Type are found in any case', () => {
    const tx = getJsonTx();
    tx.request.headers = [
      ['user-agent', 'python-requests/2.31'],
      ['CONTENT-TYPE', 'application/json'],
    ];
    const req = toQtapRecord(tx, 'summary')!.request;
    assert.equal(req.user_agent, 'python-requests/2.31');
    assert.equal(req.content_type, 'application/json');
  });

  it('duration_ms: truncated, at least 1, omitted when unknown', () => {
    const at = (ms: number): number | undefined => {
      const tx = getJsonTx();
      tx.durationMs = ms;
      return toQtapRecord(tx, 'summary')!.duration_ms;
    };
    assert.equal(at(0), 1);
    assert.equal(at(0.9), 1);
    assert.equal(at(41.9), 41);
    assert.equal(at(Number.NaN), undefined);
    assert.equal(at(-1), undefined);
  });

  it('omits what is unknown: process, addresses, TLS library, time', () => {
    const tx = getJsonTx();
    delete tx.process;
    delete tx.local;
    delete tx.remote;
    delete tx.tlsLibrary;
    tx.startTime = Number.NaN;
    tx.request.version = '';
    tx.response!.reason = '';
    tx.response!.body = new Uint8Array(0);
    tx.response!.bodySize = 0;
    const rec = toQtapRecord(tx, 'summary')!;
    assert.deepEqual(Object.keys(rec.metadata), ['bytes_sent', 'bytes_received', 'request_id', 'connection_id']);
    assert.equal(rec.transaction_time, undefined);
    assert.equal(rec.cleartap, undefined);
    assert.deepEqual(Object.keys(rec), ['metadata', 'request', 'response', 'duration_ms', 'direction']);
  });

  it('truncation flags only at full (where bodies are shown), trailers from details up', () => {
    const tx = getJsonTx();
    tx.response!.bodyTruncated = true;
    tx.response!.bodySize = 1 << 20;
    tx.response!.trailers = [['Grpc-Status', '0']];
    tx.upgraded = true;
    const summary = toQtapRecord(tx, 'summary')!.cleartap!;
    assert.equal(summary.response_body_truncated, undefined, 'below full no body is shown, by choice');
    assert.equal(toQtapRecord(tx, 'full')!.cleartap!.response_body_truncated, true);
    assert.equal(summary.response_body_size, 1 << 20);
    assert.equal(summary.request_body_truncated, undefined);
    assert.equal(summary.response_trailers, undefined);
    assert.equal(summary.upgraded, true);
    assert.equal(JSON.stringify(toQtapRecord(tx, 'details')!.cleartap!.response_trailers), '{"Grpc-Status":"0"}');
  });

  it('ingress keeps its direction; authority keeps a non-default port', () => {
    const tx = getJsonTx();
    tx.direction = 'ingress';
    tx.request.url = 'http://10.1.2.3:8080?q=1';
    tx.scheme = 'http';
    const rec = toQtapRecord(tx, 'summary')!;
    assert.equal(rec.direction, 'ingress');
    assert.equal(rec.request.authority, '10.1.2.3:8080');
    assert.equal(rec.request.scheme, 'http');
  });
});

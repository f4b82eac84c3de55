// Named transactions for the stdout sink's tests (test-only: nothing outside *.test.ts imports this file).

import type { HeaderList, HttpResponseRecord, Transaction } from '../../core/transaction.ts';

const enc = new TextEncoder();

/** 2025-01-01T00:00:00.000Z */
export const T0 = Date.UTC(2025, 0, 1, 0, 0, 0, 0);

export const GET_JSON_RESPONSE_BODY = '{"id":7,"name":"widget"}\n';

/** curl GETs JSON over TLS (OpenSSL) from a public API. */
export function getJsonTx(): Transaction {
  const resBody = enc.encode(GET_JSON_RESPONSE_BODY);
  return {
    id: 'tx-1',
    connectionId: 'c1',
    startTime: T0,
    endTime: T0 + 42.7,
    durationMs: 42.7,
    direction: 'egress',
    local: { address: '10.0.0.5', port: 40312 },
    remote: { address: '93.184.216.34', port: 443 },
    host: 'api.example.com',
    scheme: 'https',
    protocol: 'http1',
    tlsLibrary: 'openssl',
    process: {
      pid: 1234,
      exe: '/usr/bin/curl',
      cmdline: ['curl', '-s', 'https://api.example.com/v1/items/7?full=1'],
      uid: 1000,
      user: 'alice',
      cgroupPath: '',
    },
    request: {
      method: 'GET',
      url: 'https://api.example.com/v1/items/7?full=1',
      target: '/v1/items/7?full=1',
      path: '/v1/items/7',
      version: 'HTTP/1.1',
      headers: [
        ['Host', 'api.example.com'],
        ['User-Agent', 'curl/7.88.1'],
        ['Accept', '*/*'],
      ],
      body: new Uint8Array(0),
      bodySize: 0,
      bodyTruncated: false,
    },
    response: {
      status: 200,
      reason: 'OK',
      version: 'HTTP/1.1',
      headers: [
        ['Content-Type', 'application/json'],
        ['Content-Length', String(resBody.byteLength)],
      ],
      body: resBody,
      bodySize: resBody.byteLength,
      bodyTruncated: false,
    },
    bytesSent: 96,
    bytesReceived: 112,
  };
}

/** Bytes that are not UTF-8 text (a PNG signature and some zeros). */
export const BINARY_BODY = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff]);

/** A python client POSTs a binary body to a local service in a container; the reply is 201 with no body. */
export function postBinaryTx(): Transaction {
  return {
    id: 'tx-2',
    connectionId: 'c2',
    startTime: T0 + 1000,
    endTime: T0 + 1000.3,
    durationMs: 0.3,
    direction: 'egress',
    local: { address: '::1', port: 50000 },
    remote: { address: '::1', port: 8443 },
    host: 'localhost',
    scheme: 'https',
    protocol: 'http1',
    tlsLibrary: 'openssl',
    process: {
      pid: 77,
      exe: '/usr/bin/python3.11',
      cmdline: ['python3', 'upload.py'],
      uid: 0,
      user: 'root',
      cgroupPath: '/libpod_parent/libpod-' + 'ab'.repeat(32),
      containerId: 'ab'.repeat(32),
    },
    request: {
      method: 'POST',
      url: 'https://localhost:8443/upload',
      target: '/upload',
      path: '/upload',
      version: 'HTTP/1.1',
      headers: [
        ['Host', 'localhost:8443'],
        ['Content-Type', 'image/png'],
        ['Content-Length', String(BINARY_BODY.byteLength)],
      ],
      body: BINARY_BODY,
      bodySize: BINARY_BODY.byteLength,
      bodyTruncated: false,
    },
    response: {
      status: 201,
      reason: 'Created',
      version: 'HTTP/1.1',
      headers: [['Content-Length', '0']],
      body: new Uint8Array(0),
      bodySize: 0,
      bodyTruncated: false,
    },
    bytesSent: 120,
    bytesReceived: 38,
  };
}

/** The GET, but the connection ended before any response byte. */
export function noResponseTx(): Transaction {
  const tx = getJsonTx();
  delete tx.response;
  tx.id = 'tx-3';
  tx.bytesReceived = 0;
  tx.gapBytes = 4096;
  return tx;
}

/** A response carrying repeated header names, in varying case. */
export function repeatedHeadersTx(headers: HeaderList): Transaction {
  const tx = getJsonTx();
  (tx.response as HttpResponseRecord).headers = headers;
  return tx;
}

// HAR and JSON-lines inputs -> Transactions; unusable records counted with where and why, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CleartapError } from '../core/errors.ts';
import type { Transaction } from '../core/transaction.ts';
import { toQtapRecord } from '../sinks/stdout/index.ts';
import { harEntryToTransaction, readHar } from './har-input.ts';
import { inputKindOf } from './input-kind.ts';
import { newInputCounters } from './input-reader.ts';
import { qtapRecordToTransaction, readQtapJsonl } from './qtap-jsonl-input.ts';
import { makeTx } from './fixtures/transactions.ts';

const dec = new TextDecoder();
const enc = new TextEncoder();

async function all(it: AsyncIterable<Transaction>): Promise<Transaction[]> {
  const out: Transaction[] = [];
  for await (const tx of it) out.push(tx);
  return out;
}

function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ct-disc-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const HAR_ENTRY = {
  startedDateTime: '2025-01-01T00:00:00.000Z',
  time: 12.5,
  request: {
    method: 'post',
    url: 'https://api.example.com/v1/items?x=1',
    httpVersion: 'HTTP/2.0',
    headers: [{ name: ':authority', value: 'api.example.com' }, { name: 'Authorization', value: 'Bearer t' }],
    postData: { mimeType: 'application/json', text: '{"a":1}' },
  },
  response: {
    status: 201,
    statusText: 'Created',
    httpVersion: 'HTTP/2.0',
    headers: [{ name: 'content-type', value: 'application/json' }],
    content: { size: 8, mimeType: 'application/json', text: 'eyJpZCI6Mn0=', encoding: 'base64' },
  },
};

test('HAR entry -> Transaction', () => {
  const tx = harEntryToTransaction(HAR_ENTRY, 'h1');
  assert.ok(typeof tx !== 'string');
  assert.equal(tx.request.method, 'POST');
  assert.equal(tx.request.target, '/v1/items?x=1');
  assert.deepEqual(tx.request.headers, [['Authorization', 'Bearer t'], ['Content-Type', 'application/json']]);
  assert.equal(dec.decode(tx.request.body), '{"a":1}');
  assert.equal(tx.response?.status, 201);
  assert.equal(dec.decode(tx.response?.body), '{"id":2}');
  assert.equal(tx.response?.bodyTruncated, false);
  assert.equal(tx.startTime, Date.UTC(2025, 0, 1));
  assert.equal(tx.durationMs, 12.5);
  const form = harEntryToTransaction({ request: { method: 'POST', url: 'http://a.example/f', postData: { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'a', value: 'b c' }] } }, response: { status: 0 } }, 'h2');
  assert.ok(typeof form !== 'string');
  assert.equal(dec.decode(form.request.body), 'a=b+c');
  assert.equal(form.response, undefined, 'status 0: no response');
  assert.equal(harEntryToTransaction({ request: { method: 'GET', url: '/relative' } }, 'h3'), 'request url "/relative" is not absolute');
  assert.equal(harEntryToTransaction(null, 'h4'), 'no request');
});

test('HAR files: bad entries counted with their number; a non-HAR file is CT_ERR_DISCOVERY_INPUT', () =>
  withTempDir(async (dir) => {
    const file = join(dir, 'a.har');
    writeFileSync(file, JSON.stringify({ log: { version: '1.2', entries: [HAR_ENTRY, { request: {} }, HAR_ENTRY] } }));
    const counters = newInputCounters();
    assert.equal((await all(readHar(file, counters))).length, 2);
    assert.deepEqual(counters, { transactions: 2, invalid: 1, samples: [`${file}: entry 2: no request method`] });
    writeFileSync(file, '{"nope": 1}');
    await assert.rejects(all(readHar(file, newInputCounters())), (e: unknown) => e instanceof CleartapError && e.code === 'CT_ERR_DISCOVERY_INPUT');
    writeFileSync(file, 'not json');
    await assert.rejects(all(readHar(file, newInputCounters())), (e: unknown) => e instanceof CleartapError && e.code === 'CT_ERR_DISCOVERY_INPUT');
  }));

test('JSON lines at level full round-trip our own records, bodies included', () => {
  const original = makeTx('POST', 'https://api.example.com/v1/items?x=1', { body: { a: 1 }, response: { id: 2 }, status: 201, headers: [['X-Tenant', 't1']] });
  const record = JSON.parse(JSON.stringify(toQtapRecord(original, 'full')));
  const tx = qtapRecordToTransaction(record, 'l1');
  assert.ok(typeof tx !== 'string');
  assert.equal(tx.request.url, original.request.url);
  assert.equal(tx.request.target, '/v1/items?x=1');
  assert.deepEqual(tx.request.headers, original.request.headers);
  assert.equal(dec.decode(tx.request.body), '{"a":1}');
  assert.equal(tx.response?.status, 201);
  assert.deepEqual(tx.response?.headers, original.response?.headers);
  assert.equal(dec.decode(tx.response?.body), '{"id":2}');
  assert.equal(tx.direction, 'ingress');
  assert.equal(tx.startTime, original.startTime);
});

test('JSON lines below level full: no bodies, sizes and content types kept; no response stays absent', () => {
  const original = makeTx('GET', 'http://a.example/x', { response: { id: 2 } });
  const summary = qtapRecordToTransaction(JSON.parse(JSON.stringify(toQtapRecord(original, 'summary'))), 'l1');
  assert.ok(typeof summary !== 'string');
  assert.equal(summary.response?.body.byteLength, 0);
  assert.equal(summary.response?.bodySize, 8);
  assert.deepEqual(summary.response?.headers, [['Content-Type', 'application/json']]);
  const none = qtapRecordToTransaction(JSON.parse(JSON.stringify(toQtapRecord(makeTx('GET', 'http://a.example/x', { noResponse: true }), 'details'))), 'l2');
  assert.ok(typeof none !== 'string');
  assert.equal(none.response, undefined);
});

test('JSON-lines files: bad lines counted with their line number', () =>
  withTempDir(async (dir) => {
    const file = join(dir, 'c.jsonl');
    const good = JSON.stringify(toQtapRecord(makeTx('GET', 'http://a.example/x'), 'details'));
    writeFileSync(file, `${good}\n\n{"level":30,"msg":"log line"}\n{"request":\n${good}`);
    const counters = newInputCounters();
    assert.equal((await all(readQtapJsonl(file, counters))).length, 2);
    assert.deepEqual(counters.samples, [`${file}:3: no request.method / request.url (not an http_capture record)`, `${file}:4: not JSON`]);
    await assert.rejects(all(readQtapJsonl(join(dir, 'missing.jsonl'), newInputCounters())), (e: unknown) => e instanceof CleartapError && e.code === 'CT_ERR_DISCOVERY_INPUT');
  }));

test('input kinds from the first bytes', () => {
  assert.equal(inputKindOf(enc.encode('{"log": {"version": "1.2", "entries": []}}')), 'har');
  assert.equal(inputKindOf(enc.encode('\uFEFF{\n  "log": {')), 'har');
  assert.equal(inputKindOf(enc.encode('{"metadata":{},"request":{"method":"GET"},"response":{"status":200}}\n{"metadata"')), 'jsonl');
  assert.equal(inputKindOf(new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1, 2, 0])), 'pcap');
  assert.equal(inputKindOf(new Uint8Array([0x0a, 0x0d, 0x0d, 0x0a])), 'pcap');
  assert.equal(inputKindOf(enc.encode('hello')), 'unknown');
  assert.equal(inputKindOf(new Uint8Array(0)), 'unknown');
});

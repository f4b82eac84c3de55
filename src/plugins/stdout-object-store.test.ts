import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createStdoutSink } from '../sinks/stdout/index.ts';
import { httpCapturePlugin } from './http-capture.ts';
import { createArtifact } from './object-store.ts';
import { createStdoutObjectStore } from './stdout-object-store.ts';
import { captureStream, failingGetTx, memoryLogger, nextTurn, pluginViewOf, postOrderTx, testServices } from './test-support.ts';

const META = { connectionId: 'c1', requestId: 'tx-1', url: 'https://x/', timestamp: '2025-01-01T00:00:00.000Z' };

async function viaStore(level: string, format: 'json' | 'text') {
  const stream = captureStream();
  const { log } = memoryLogger();
  const store = createStdoutObjectStore({ log, stream });
  const plugin = await httpCapturePlugin.create({ level, format }, testServices({ objectStore: store }));
  for (const tx of [postOrderTx(), failingGetTx()]) plugin.onTransaction(pluginViewOf(tx));
  await store.close();
  return { text: stream.text(), writes: stream.writes, store };
}

async function viaSink(level: 'full' | 'details', format: 'json' | 'text') {
  const stream = captureStream();
  const sink = createStdoutSink({ format, level, stream });
  await sink.write([postOrderTx(), failingGetTx()]);
  await sink.close();
  return stream.text();
}

describe('createStdoutObjectStore', () => {
  it('json: http_capture records are printed byte for byte as the stdout sink prints them, in one write', async () => {
    const got = await viaStore('full', 'json');
    assert.equal(got.text, await viaSink('full', 'json'));
    assert.equal(got.writes, 1);
    const c = got.store.counters();
    assert.equal(c.object_store_stdout_records, 2);
    assert.equal(c.object_store_stdout_bytes, Buffer.byteLength(got.text));
  });

  it('text: the same blocks as the stdout sink, separated by a blank line', async () => {
    const got = await viaStore('headers', 'text');
    assert.equal(got.text, await viaSink('details', 'text'));
  });

  it('batches per event-loop turn: puts in one turn become one write', async () => {
    const stream = captureStream();
    const store = createStdoutObjectStore({ log: memoryLogger().log, stream });
    const artifact = (s: string) => createArtifact('http_transaction', new TextEncoder().encode(s), 'application/json', META);
    store.put(artifact('{"a":1}'));
    store.put(artifact('{"a":2}'));
    await nextTurn();
    store.put(artifact('{"a":3}'));
    await store.flush();
    assert.equal(stream.text(), '{"a":1}\n{"a":2}\n{"a":3}\n');
    assert.equal(stream.writes, 2);
    await store.close();
    store.put(artifact('{"a":4}'));
    assert.equal(store.counters().object_store_stdout_dropped_broken, 1);
    assert.equal(stream.listenerCount('error'), 0);
  });

  it('other artifacts are logged at debug level without their data, and counted', async () => {
    const stream = captureStream();
    const { log, lines } = memoryLogger('debug');
    const store = createStdoutObjectStore({ log, stream });
    const data = new TextEncoder().encode('{"Content-Length":"0"}');
    const digest = createArtifact('res-headers', data, 'application/json', META).digest;
    store.put(createArtifact('res-headers', data, 'application/json', META));
    await store.close();
    assert.equal(stream.text(), '');
    assert.deepEqual(lines, [
      {
        level: 20,
        type: 'res-headers',
        contentType: 'application/json',
        size: data.byteLength,
        digest,
        meta: META,
        msg: 'object store submission',
      },
    ]);
    assert.equal(store.counters().object_store_stdout_not_printed, 1);
  });

  it('a reader that goes away (EPIPE) is counted, not thrown', async () => {
    const stream = new Writable({
      write(_c, _e, cb) {
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const { log, lines } = memoryLogger();
    const store = createStdoutObjectStore({ log, stream });
    store.put(createArtifact('http_transaction', new Uint8Array([0x7b, 0x7d]), 'application/json', META));
    await store.flush();
    store.put(createArtifact('http_transaction', new Uint8Array([0x7b, 0x7d]), 'application/json', META));
    await store.close();
    const c = store.counters();
    assert.equal(c.object_store_stdout_epipe, 1);
    assert.equal(c.object_store_stdout_dropped_broken, 1);
    assert.deepEqual(lines, []);
  });
});

describe('createArtifact', () => {
  it('digest is the SHA-1 of the data, lowercase hex', () => {
    const a = createArtifact('req-body', new TextEncoder().encode('abc'), 'text/plain', META);
    assert.equal(a.digest, 'a9993e364706816aba3e25717850c26c9cd0d89d');
  });
});

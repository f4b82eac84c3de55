import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { getJsonTx, noResponseTx, postBinaryTx } from './fixtures.ts';
import { toQtapRecord } from './qtap-record.ts';
import { createStdoutSink } from './sink.ts';
import { formatText } from './text-format.ts';

/**
 * A Writable that keeps every chunk it is handed. `delayMs` makes it a slow reader; `gated` holds every write
 * until openGate(), so a test can look at the sink while the stream is certainly not draining.
 */
function recorder(options: { delayMs?: number; highWaterMark?: number; gated?: boolean } = {}) {
  const chunks: string[] = [];
  let maxBuffered = 0;
  let held: Array<() => void> | undefined = options.gated === true ? [] : undefined;
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      maxBuffered = Math.max(maxBuffered, this.writableLength);
      chunks.push(chunk.toString('utf8'));
      const done = options.delayMs === undefined ? () => cb() : () => setTimeout(cb, options.delayMs);
      if (held !== undefined) held.push(done);
      else done();
    },
  });
  const openGate = (): void => {
    const waiting = held ?? [];
    held = undefined;
    for (const done of waiting) done();
  };
  return { stream, chunks, maxBuffered: () => maxBuffered, openGate };
}

function errnoError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`write ${code}`), { code, errno: -32, syscall: 'write' });
}

/** A Writable whose every write fails with `code`. */
function failing(code: string): Writable {
  return new Writable({
    write(_chunk, _enc, cb) {
      cb(errnoError(code));
    },
  });
}

describe('createStdoutSink: output', () => {
  it('json: one write per batch, one Qtap record per line', async () => {
    const r = recorder();
    const sink = createStdoutSink({ format: 'json', level: 'full', stream: r.stream });
    const batch = [getJsonTx(), postBinaryTx(), noResponseTx()];
    await sink.write(batch);
    await sink.write([getJsonTx()]);
    await sink.close();
    assert.equal(r.chunks.length, 2);
    const lines = r.chunks[0]!.split('\n');
    assert.equal(lines.pop(), '');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l)),
      batch.map((tx) => JSON.parse(JSON.stringify(toQtapRecord(tx, 'full')))),
    );
    const c = sink.counters();
    assert.equal(c.sink_stdout_records, 4);
    assert.equal(c.sink_stdout_bytes, Buffer.byteLength(r.chunks.join('')));
    assert.equal(r.stream.writableEnded, false); // the sink does not own the stream
  });

  it('text: blocks separated by a blank line, in one write', async () => {
    const r = recorder();
    const sink = createStdoutSink({ format: 'text', level: 'headers', stream: r.stream });
    await sink.write([getJsonTx(), postBinaryTx()]);
    await sink.close();
    assert.deepEqual(r.chunks, [
      `${formatText(getJsonTx(), 'details')}\n${formatText(postBinaryTx(), 'details')}\n`,
    ]);
  });

  it('level none and empty batches write nothing', async () => {
    const r = recorder();
    const none = createStdoutSink({ format: 'json', level: 'none', stream: r.stream });
    await none.write([getJsonTx()]);
    await none.close();
    const summary = createStdoutSink({ format: 'json', level: 'summary', stream: r.stream });
    await summary.write([]);
    await summary.close();
    assert.deepEqual(r.chunks, []);
    assert.equal(r.stream.listenerCount('error'), 0); // both sinks detached
  });

  it('write after close rejects with CT_ERR_SINK_CLOSED', async () => {
    const sink = createStdoutSink({ format: 'json', level: 'summary', stream: recorder().stream });
    await sink.close();
    await assert.rejects(sink.write([getJsonTx()]), { code: 'CT_ERR_SINK_CLOSED' });
    await sink.close(); // idempotent
  });
});

describe('createStdoutSink: backpressure', () => {
  it('waits for drain before taking the next batch; order and content are kept', async () => {
    const r = recorder({ delayMs: 2, highWaterMark: 1024, gated: true });
    const sink = createStdoutSink({ format: 'json', level: 'full', stream: r.stream });
    const batch = Array.from({ length: 4 }, getJsonTx); // ~4 KiB, above the highWaterMark
    const batchBytes = Buffer.byteLength(JSON.stringify(toQtapRecord(getJsonTx(), 'full'))) * 4 + 4;

    let firstDone = false;
    const first = sink.write(batch).then(() => {
      firstDone = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(firstDone, false, 'write() resolved before the stream drained');
    // Fire-and-forget writes are queued by the sink, not piled into the stream.
    const rest = Array.from({ length: 5 }, (_, i) => {
      const b = batch.map((tx) => ({ ...tx, id: `b${i}` }));
      return sink.write(b);
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(r.chunks.length, 1, 'queued batches reached the stream before it drained');
    r.openGate();
    await first;
    await Promise.all(rest);
    await sink.flush();
    assert.equal(r.chunks.length, 6);
    assert.ok(r.maxBuffered() <= batchBytes, `stream held ${r.maxBuffered()} bytes, more than one batch`);
    assert.deepEqual(
      r.chunks.slice(1).map((c) => JSON.parse(c.split('\n')[0]!).metadata.request_id),
      ['b0', 'b1', 'b2', 'b3', 'b4'],
    );
    assert.equal(sink.counters().sink_stdout_backpressure_waits, 6);
    await sink.close();
  });

  it('flush resolves only once the slow stream has written everything', async () => {
    const r = recorder({ delayMs: 20, highWaterMark: 1 << 20 });
    const sink = createStdoutSink({ format: 'json', level: 'summary', stream: r.stream });
    await sink.write([getJsonTx()]); // below the highWaterMark: accepted at once
    assert.equal(r.stream.writableLength > 0, true);
    await sink.flush();
    assert.equal(r.stream.writableLength, 0);
    await sink.close();
  });
});

describe('createStdoutSink: broken pipe and errors', () => {
  it('EPIPE: stops writing, counts, resolves; later batches are dropped and counted', async () => {
    const stream = failing('EPIPE');
    const sink = createStdoutSink({ format: 'json', level: 'full', stream });
    await sink.write([getJsonTx(), getJsonTx()]); // handed over, then fails
    await sink.flush();
    await sink.write([getJsonTx()]);
    await sink.write([getJsonTx(), getJsonTx()]);
    await sink.close();
    const c = sink.counters();
    assert.equal(c.sink_stdout_epipe, 1);
    assert.equal(c.sink_stdout_records, 2);
    assert.equal(c.sink_stdout_dropped, 3);
    assert.equal(c.sink_stdout_errors, 0);
  });

  it('close() right after a write that fails later leaves no unhandled error behind', async () => {
    const stream = new Writable({
      write(_chunk, _enc, cb) {
        setTimeout(() => cb(errnoError('EPIPE')), 5);
      },
    });
    const sink = createStdoutSink({ format: 'json', level: 'summary', stream });
    await sink.write([getJsonTx()]);
    await sink.close();
    assert.equal(stream.listenerCount('error'), 0);
    assert.equal(sink.counters().sink_stdout_epipe, 1);
    await new Promise((resolve) => setTimeout(resolve, 10)); // an 'error' emitted late would crash here
  });

  it('EPIPE on a real pipe whose reader closed it, while waiting for drain', async () => {
    // The child closes its end of the pipe but keeps running, so Node does not destroy child.stdin for us.
    const child = spawn(
      process.execPath,
      ['-e', 'require("fs").closeSync(0); process.stdout.write("closed"); setTimeout(() => {}, 20000)'],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    try {
      await new Promise((resolve) => child.stdout.once('data', resolve));
      const sink = createStdoutSink({ format: 'json', level: 'full', stream: child.stdin });
      const batch = Array.from({ length: 200 }, getJsonTx);
      for (let i = 0; i < 50 && sink.counters().sink_stdout_epipe === 0; i++) await sink.write(batch);
      await sink.write(batch);
      await sink.close();
      const c = sink.counters();
      assert.equal(c.sink_stdout_epipe, 1);
      assert.equal(c.sink_stdout_errors, 0);
      assert.ok(c.sink_stdout_dropped >= 200);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('`cleartap | head`: the default process.stdout sink survives its reader leaving', async () => {
    const here = new URL('.', import.meta.url).href;
    const script = `
      import { createStdoutSink } from '${here}sink.ts';
      import { getJsonTx } from '${here}fixtures.ts';
      const sink = createStdoutSink({ format: 'json', level: 'full' });
      const batch = Array.from({ length: 100 }, getJsonTx);
      for (let i = 0; i < 2000 && sink.counters().sink_stdout_epipe === 0; i++) await sink.write(batch);
      await sink.close();
      process.stderr.write(JSON.stringify(sink.counters()));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.once('data', () => child.stdout.destroy()); // read one chunk, then hang up like head
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
        child.once('close', (c, s) => resolve([c, s])),
      );
      assert.equal(signal, null, stderr);
      assert.equal(code, 0, stderr);
      const counters = JSON.parse(stderr);
      assert.equal(counters.sink_stdout_epipe, 1);
      assert.equal(counters.sink_stdout_errors, 0);
    } finally {
      clearTimeout(timer);
      child.kill('SIGKILL');
    }
  });

  it('any other stream error rejects write, flush and close with that error', async () => {
    const sink = createStdoutSink({ format: 'json', level: 'full', stream: failing('EIO') });
    await assert.rejects(sink.write([getJsonTx()]), { code: 'EIO' });
    await assert.rejects(sink.flush(), { code: 'EIO' });
    await assert.rejects(sink.write([getJsonTx()]), { code: 'EIO' });
    await assert.rejects(sink.close(), { code: 'EIO' });
    const c = sink.counters();
    assert.equal(c.sink_stdout_errors, 1);
    assert.equal(c.sink_stdout_epipe, 0);
    assert.equal(c.sink_stdout_dropped, 1);
  });
});

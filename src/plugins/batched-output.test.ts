import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createBatchedOutput } from './batched-output.ts';
import { captureStream, nextTurn } from './test-support.ts';

describe('createBatchedOutput', () => {
  it('drops (and reports) lines past the queue bound while the stream is not draining', async () => {
    const held: Array<() => void> = [];
    let holding = true;
    const stream = new Writable({
      highWaterMark: 4,
      write(_c, _e, cb) {
        if (holding) held.push(cb);
        else cb();
      },
    });
    const drops: number[] = [];
    const out = createBatchedOutput(stream, { onError: () => assert.fail('no error expected'), onDrop: (n) => drops.push(n), maxQueuedBytes: 10 });
    out.write('12345\n', 1);
    await nextTurn(); // handed to the stream, which holds it: still queued
    out.write('abc\n', 1);
    out.write('defgh\n', 1); // 6 + 4 + 6 > 10
    assert.deepEqual(drops, [1]);
    assert.equal(out.counters().droppedBacklog, 1);
    holding = false;
    for (const cb of held) cb();
    await out.close();
    assert.equal(out.counters().records, 2);
  });

  it('joins text and bytes of one turn into one chunk', async () => {
    const stream = captureStream();
    const out = createBatchedOutput(stream, { onError: () => undefined });
    out.write(new TextEncoder().encode('{"a":1}'), 1);
    out.write('\n', 0);
    out.write('x\n', 1);
    await out.close();
    assert.equal(stream.text(), '{"a":1}\nx\n');
    assert.equal(stream.writes, 1);
  });

  it('a stream error reaches onError and flush(), and later lines count as dropped', async () => {
    const stream = new Writable({
      write(_c, _e, cb) {
        cb(Object.assign(new Error('write EIO'), { code: 'EIO' }));
      },
    });
    const errors: unknown[] = [];
    const drops: number[] = [];
    const out = createBatchedOutput(stream, { onError: (e) => errors.push(e), onDrop: (n) => drops.push(n) });
    out.write('a\n', 1);
    await assert.rejects(out.flush(), { code: 'EIO' });
    out.write('b\n', 1);
    await assert.rejects(out.close(), { code: 'EIO' });
    assert.equal(errors.length, 2);
    assert.deepEqual(drops, [1]);
    assert.equal(out.counters().errors, 1);
  });
});

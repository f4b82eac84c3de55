import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BoltFileBuilder, FIXTURE_PAGE_SIZE } from './container-bolt-fixture.ts';
import { boltGet, isBoltDb } from './container-boltdb.ts';

const id = (n: number) => n.toString(16).padStart(64, 'c');

// The shape of podman 4's bolt_state.db: ctr/<id>/{config,state}, pod/<id>/config, plus registries.
function libpodLikeFile(options: { corruptNewest?: boolean; containers?: number } = {}): Buffer {
  const b = new BoltFileBuilder();
  const containers = Array.from({ length: options.containers ?? 30 }, (_, i) => ({
    key: id(i),
    bucket: true,
    value: b.inlineBucket([
      { key: 'config', value: JSON.stringify({ id: id(i), name: `c${i}`, labels: { n: String(i) } }) },
      { key: 'state', value: '{"state":3}' },
    ]),
  }));
  // One config far bigger than a page: bbolt stores it on contiguous overflow pages.
  const big = JSON.stringify({ id: id(999), name: 'big', spec: 'x'.repeat(3 * FIXTURE_PAGE_SIZE) });
  containers.push({ key: id(999), bucket: true, value: b.pagedBucket([{ key: 'config', value: big }]) });
  const ctr = b.pagedBucket(containers, 7); // several leaves under a branch page
  const pod = b.inlineBucket([{ key: 'p0d', bucket: true, value: b.inlineBucket([{ key: 'config', value: '{"name":"web"}' }]) }]);
  return b.build(
    [
      { key: 'ctr', bucket: true, value: ctr },
      { key: 'pod', bucket: true, value: pod },
      { key: 'id-registry', bucket: true, value: b.inlineBucket([]) },
    ],
    options,
  );
}

describe('BoltDB reader', () => {
  test('finds values in inline buckets, in paged buckets behind a branch page, and on overflow pages', () => {
    const file = libpodLikeFile();
    assert.equal(isBoltDb(file), true);
    for (const n of [0, 6, 7, 13, 29]) {
      const v = boltGet(file, ['ctr', id(n)], 'config');
      assert.deepEqual(JSON.parse(v?.toString() ?? 'null'), { id: id(n), name: `c${n}`, labels: { n: String(n) } });
    }
    assert.equal(JSON.parse(boltGet(file, ['ctr', id(999)], 'config')?.toString() ?? '{}').name, 'big');
    assert.equal(boltGet(file, ['pod', 'p0d'], 'config')?.toString(), '{"name":"web"}');
  });

  test('missing keys and buckets, and a bucket asked for as a value, give undefined', () => {
    const file = libpodLikeFile();
    assert.equal(boltGet(file, ['ctr', id(30)], 'config'), undefined);
    assert.equal(boltGet(file, ['ctr', id(1)], 'nope'), undefined);
    assert.equal(boltGet(file, ['nope', id(1)], 'config'), undefined);
    assert.equal(boltGet(file, ['ctr'], id(1)), undefined);
    assert.equal(boltGet(file, [], 'ctr'), undefined);
  });

  test('the newest meta page with a valid checksum names the root', () => {
    const twoTx = (corruptNewest: boolean) => {
      const b = new BoltFileBuilder();
      const config = (name: string) => b.inlineBucket([{ key: 'config', value: `{"name":"${name}"}` }]);
      return b.build([{ key: 'ctr', bucket: true, value: b.inlineBucket([{ key: id(1), bucket: true, value: config('renamed') }]) }], {
        corruptNewest,
        olderRootItems: [{ key: 'ctr', bucket: true, value: b.inlineBucket([{ key: id(1), bucket: true, value: config('original') }]) }],
      });
    };
    assert.equal(boltGet(twoTx(false), ['ctr', id(1)], 'config')?.toString(), '{"name":"renamed"}');
    assert.equal(boltGet(twoTx(true), ['ctr', id(1)], 'config')?.toString(), '{"name":"original"}');
    // Older meta pointing at the freelist page: not a tree, nothing found.
    assert.equal(boltGet(libpodLikeFile({ corruptNewest: true }), ['ctr', id(1)], 'config'), undefined);
  });

  test('truncated, garbage and empty files give undefined, never an exception', () => {
    const file = libpodLikeFile();
    for (const len of [0, 10, 100, FIXTURE_PAGE_SIZE, FIXTURE_PAGE_SIZE * 3 + 17, file.length - FIXTURE_PAGE_SIZE]) {
      assert.doesNotThrow(() => boltGet(file.subarray(0, len), ['ctr', id(29)], 'config'));
    }
    assert.equal(boltGet(Buffer.from('SQLite format 3\0'.padEnd(8192, 'x')), ['ctr', id(1)], 'config'), undefined);
    // Random bytes in every page after the metas: bounds checks hold.
    const noisy = Buffer.from(file);
    let seed = 12345;
    for (let i = 3 * FIXTURE_PAGE_SIZE; i < noisy.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      noisy[i] = seed & 0xff;
    }
    for (let n = 0; n < 30; n++) assert.doesNotThrow(() => boltGet(noisy, ['ctr', id(n)], 'config'));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { floorScript, parseCounts } from './bpftrace-floor.ts';

describe('bpftrace floor', () => {
  it('probes entry and return of the four TLS calls of one library', () => {
    const script = floorScript('/lib/libssl.so.3');
    for (const fn of ['SSL_read', 'SSL_write', 'SSL_read_ex', 'SSL_write_ex']) {
      assert.match(script, new RegExp(`^uprobe:/lib/libssl\\.so\\.3:${fn},?$`, 'm'));
      assert.match(script, new RegExp(`^uretprobe:/lib/libssl\\.so\\.3:${fn},?$`, 'm'));
    }
    assert.match(script, /@entries = count\(\);/);
    assert.match(script, /@returns = count\(\);/);
  });

  it('reads the counts printed at exit; a map never hit is 0', () => {
    assert.deepEqual(parseCounts('Attaching 8 probes...\n\n\n@entries: 181663\n\n@returns: 181660\n'), {
      entries: 181663,
      returns: 181660,
    });
    assert.deepEqual(parseCounts('Attaching 8 probes...\n'), { entries: 0, returns: 0 });
  });
});

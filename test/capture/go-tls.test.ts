// Go programs built here with Debian's toolchain: crypto/tls is found through .gopclntab (with and without a
// symbol table), its RETs by disassembly, and binaries that cannot be probed say why.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { withElf } from '../../src/capture/elf/index.ts';
import { goTlsProbes } from '../../src/capture/tls/go.ts';
import { x86ReturnOffsets } from '../../src/capture/tls/x86-returns.ts';
import { TlsScanner } from '../../src/capture/tls/index.ts';
import { uprobeMultiSupported } from '../../src/capture/bpf-capture.ts';
import { buildGoFixture } from '../helpers/go-build.ts';

describe('Go crypto/tls probe points', () => {
  for (const stripped of [false, true]) {
    test(`${stripped ? 'stripped' : 'with symbols'}: entries of Read and Write, and a RET probe at each 0xC3 the disassembly finds`, async () => {
      const exe = await buildGoFixture('go-tls', { stripped });
      const r = withElf(exe, goTlsProbes);
      assert.ok(r.ok && r.value.go && 'points' in r.value, JSON.stringify(r));
      const v = r.value as { version?: string; points: Array<{ prog: string; fileOffset: number; label: string }> };
      assert.match(v.version ?? '', /^go1\.\d+/);
      const file = readFileSync(exe);
      const entries = v.points.filter((p) => p.prog !== 'ct_uprobe_go_return');
      assert.deepEqual(entries.map((p) => p.label), ['crypto/tls.(*Conn).Write', 'crypto/tls.(*Conn).Read']);
      const rets = v.points.filter((p) => p.prog === 'ct_uprobe_go_return');
      assert.ok(rets.length >= 4, `${rets.length} RETs`);
      for (const p of rets) assert.equal(file[p.fileOffset], 0xc3, p.label);
    });
  }

  test('the scanner reports a Go binary as a go target, and a non-Go executable is not one', async () => {
    const exe = await buildGoFixture('go-tls', { stripped: true });
    const scanner = new TlsScanner();
    const found = scanner.scanWellKnown({ libDirs: [], executables: [exe, '/bin/sh'] });
    assert.deepEqual(found.targets.map((t) => [t.kind, t.library, t.module]), [['go', 'go', 'go']]);
    assert.deepEqual(found.targets[0].symbols, ['crypto/tls.(*Conn).Write', 'crypto/tls.(*Conn).Read']);
  });

  test('RET finding decodes instructions: a C3 byte inside an immediate is not a return', () => {
    // mov eax, 0xc3c3c3c3; ret; int3 padding
    const code = Uint8Array.from([0xb8, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3, 0xcc, 0xcc]);
    assert.deepEqual(x86ReturnOffsets(code), [5]);
    // Bytes that are no instruction, with nothing but padding after them, are refused.
    assert.equal(x86ReturnOffsets(Uint8Array.from([0x0f, 0x0b, 0x06])), undefined);
  });

  test('uprobe_multi is used from Linux 6.6 on, unless turned off', () => {
    assert.equal(uprobeMultiSupported('6.18.44-fc', {}), true);
    assert.equal(uprobeMultiSupported('6.6.0', {}), true);
    assert.equal(uprobeMultiSupported('6.5.13', {}), false);
    assert.equal(uprobeMultiSupported('5.15.0-91-generic', {}), false);
    assert.equal(uprobeMultiSupported('6.18.44', { CLEARTAP_UPROBE_MULTI: '0' }), false);
  });
});

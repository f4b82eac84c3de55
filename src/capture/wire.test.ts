import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateWire } from '../../scripts/gen-wire.ts';
import * as W from './wire.ts';

const header = readFileSync(fileURLToPath(new URL('../../bpf/shared/wire.h', import.meta.url)), 'utf8');

test('wire.ts is generated from the current bpf/shared/wire.h', () => {
  const current = readFileSync(fileURLToPath(new URL('./wire.ts', import.meta.url)), 'utf8');
  assert.equal(current, generateWire(header), 'run `node scripts/gen-wire.ts`');
});

test('record layouts match what the kernel writes', () => {
  assert.equal(W.dataEvent.SIZE, 48);
  assert.equal(W.dataEvent.data, W.dataEvent.SIZE, 'the payload follows the header directly');
  assert.equal(W.connEvent.SIZE, 64);
  assert.equal(W.closeEvent.SIZE, 56);
  assert.equal(W.bindEvent.SIZE, 40);
  assert.equal(W.execEvent.SIZE, 32 + W.CT_EXEC_FILENAME_LEN + W.CT_EXEC_ARGS_LEN);
  assert.equal(W.exitEvent.SIZE, 16);
});

test('a misaligned field is refused by the generator', () => {
  assert.throws(() => generateWire('struct ct_bad {\n\t__u8 a;\n\t__u32 b;\n};'), /not naturally aligned/);
});

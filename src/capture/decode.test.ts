import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as W from './wire.ts';
import { BatchDecoder, type CaptureHandler, type DataRecord } from './decode.ts';

/** Frames records the way native/cleartap.c does: [u32 len][u32 0][record, padded to 8]. */
function batch(records: Uint8Array[]): ArrayBuffer {
  const size = records.reduce((n, r) => n + 8 + ((r.length + 7) & ~7), 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const r of records) {
    view.setUint32(at, r.length, true);
    out.set(r, at + 8);
    at += 8 + ((r.length + 7) & ~7);
  }
  return out.buffer;
}

function dataRecord(payload: string, over: { pid?: number; stream?: number; offset?: number; gap?: number } = {}): Uint8Array {
  const bytes = new TextEncoder().encode(payload);
  const r = new Uint8Array(W.dataEvent.SIZE + bytes.length);
  const v = new DataView(r.buffer);
  const E = W.dataEvent;
  v.setUint8(E.kind, W.CT_EV_DATA);
  v.setUint8(E.source, W.CT_SRC_TLS);
  v.setUint8(E.op, W.CT_OP_RECV);
  v.setUint8(E.flags, over.gap ? W.CT_F_GAP : 0);
  v.setUint32(E.pid, over.pid ?? 42, true);
  v.setUint32(E.ts_ns, 1234, true);
  v.setUint32(E.stream, (over.stream ?? 0x5555_0000) >>> 0, true);
  v.setUint32(E.stream + 4, 0x7fff, true); // a 47-bit user-space pointer
  v.setUint32(E.offset, over.offset ?? 0, true);
  v.setUint32(E.len, bytes.length, true);
  v.setUint32(E.call_len, over.gap ?? bytes.length, true);
  r.set(bytes, E.data);
  return r;
}

function collector() {
  const seen: Array<Omit<DataRecord, 'payload'> & { text: string }> = [];
  const handler: CaptureHandler = {
    onData: (r) => seen.push({ ...r, text: new TextDecoder().decode(r.payload) }),
    onConn: () => {},
    onClose: () => {},
    onBind: () => {},
    onExec: () => {},
    onExit: () => {},
  };
  return { seen, handler };
}

test('data records decode with 64-bit fields exact and the payload as a view', () => {
  const { seen, handler } = collector();
  const d = new BatchDecoder(handler);
  d.decode(batch([dataRecord('GET / HTTP/1.1\r\n\r\n', { offset: 7 }), dataRecord('', { gap: 100, offset: 25 })]));
  assert.equal(seen.length, 2);
  assert.equal(seen[0].stream, 0x7fff * 2 ** 32 + 0x5555_0000);
  assert.equal(seen[0].text, 'GET / HTTP/1.1\r\n\r\n');
  assert.equal(seen[0].offset, 7);
  assert.equal(seen[1].gap, true);
  assert.equal(seen[1].callLen, 100);
  assert.deepEqual(d.stats, { records: 2, malformed: 0 });
});

test('a record claiming more payload than it carries is counted, not read past its end', () => {
  const { seen, handler } = collector();
  const d = new BatchDecoder(handler);
  const r = dataRecord('abc');
  new DataView(r.buffer).setUint32(W.dataEvent.len, 4096, true);
  d.decode(batch([r, dataRecord('next')]));
  assert.deepEqual(seen.map((s) => s.text), ['next']);
  assert.equal(d.stats.malformed, 1);
});

test('random bytes never throw; every unreadable record is counted', () => {
  let seed = 0x2545f491;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const { handler } = collector();
  const d = new BatchDecoder(handler);
  for (let i = 0; i < 500; i++) {
    const len = Math.floor(rand() * 512);
    const bytes = new Uint8Array(len);
    for (let j = 0; j < len; j++) bytes[j] = Math.floor(rand() * 256);
    if (len > 8 && rand() < 0.5) bytes[8] = 1 + Math.floor(rand() * 6); // a known kind, garbage after it
    assert.doesNotThrow(() => d.decode(bytes.buffer));
  }
  assert.ok(d.stats.malformed > 0);
});

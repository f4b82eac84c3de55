import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BodyCollector } from './body-collector.ts';
import { ChunkedDecoder } from './chunked-body.ts';
import { bytes, concat, text } from './fixtures/messages.ts';

/** Decodes `wire` in pieces cut at `cuts`; returns the decoded text, the end offset and the decoder. */
function decode(wire: Uint8Array, cuts: number[] = [], maxHeaderBytes = 1024) {
  const d = new ChunkedDecoder();
  const body = new BodyCollector();
  d.reset(maxHeaderBytes);
  body.reset(1 << 20, -1);
  let consumed = 0;
  let from = 0;
  for (const c of [...cuts, wire.length]) {
    const piece = wire.slice(from, c);
    const p = d.feed(piece, 0, piece.length, body);
    consumed += p;
    if (d.done || d.failed) break;
    assert.equal(p, piece.length, 'a piece is consumed whole until the end or an error');
    from = c;
  }
  return { decoded: text(body.finish()), consumed, decoder: d, size: body.size };
}

const CHUNKED_EXT_TRAILERS = bytes('5;name=value\r\nhello\r\n6 ; ext="q"\r\n world\r\n0\r\nX-Checksum: abc123\r\nX-Two: 2\r\n\r\n');

describe('ChunkedDecoder', () => {
  test('chunks, extensions and trailers; stops exactly at the end of the trailer section', () => {
    const after = bytes('NEXT MESSAGE');
    const r = decode(concat(CHUNKED_EXT_TRAILERS, after));
    assert.equal(r.decoded, 'hello world');
    assert.equal(r.consumed, CHUNKED_EXT_TRAILERS.length);
    assert.ok(r.decoder.done);
    assert.deepEqual(r.decoder.trailers, [['X-Checksum', 'abc123'], ['X-Two', '2']]);
  });

  test('same result at every split point and in 1-byte pieces', () => {
    for (let k = 1; k < CHUNKED_EXT_TRAILERS.length; k++) {
      const r = decode(CHUNKED_EXT_TRAILERS, [k]);
      assert.equal(r.decoded, 'hello world', `split at ${k}`);
      assert.equal(r.consumed, CHUNKED_EXT_TRAILERS.length);
      assert.deepEqual(r.decoder.trailers, [['X-Checksum', 'abc123'], ['X-Two', '2']]);
    }
    const ones = Array.from({ length: CHUNKED_EXT_TRAILERS.length - 1 }, (_, i) => i + 1);
    assert.equal(decode(CHUNKED_EXT_TRAILERS, ones).decoded, 'hello world');
  });

  test('no trailers: trailers stays undefined; hex is case-insensitive; leading zeros; bare LF', () => {
    const r = decode(bytes('0a\r\n0123456789\r\n00A\n0123456789\n0\n\n'));
    assert.equal(r.decoded, '01234567890123456789');
    assert.equal(r.decoder.trailers, undefined);
    assert.ok(r.decoder.done);
    assert.equal(r.size, 20);
  });

  test('invalid framing is reported with the offending offset', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['g\r\n', 0, /invalid chunk size/],
      ['\r\n', 0, /invalid chunk size/],
      ['5x\r\nhello\r\n', 1, /after chunk size/],
      ['5\rhello', 2, /expected LF/],
      ['3\r\nabcX', 6, /missing CRLF/],
      ['3\r\nabc\rX', 7, /missing LF/],
      ['FFFFFFFFFFFFFF\r\n', 13, /too large/],
      ['0\r\nBad Trailer: x\r\n\r\n', 20, /invalid trailer/],
    ];
    for (const [wire, at, reason] of cases) {
      const r = decode(bytes(wire));
      assert.ok(r.decoder.failed, wire);
      assert.equal(r.decoder.errorAt, at, `${JSON.stringify(wire)}: ${r.decoder.error}`);
      assert.match(r.decoder.error ?? '', reason);
    }
  });

  test('trailer sections of every size around the buffer growth steps parse', () => {
    for (let n = 240; n <= 560; n++) {
      const wire = bytes(`0\r\nX: ${'v'.repeat(n - 7)}\r\n\r\n`);
      const r = decode(wire);
      assert.ok(r.decoder.done, `trailer line of ${n} bytes: ${r.decoder.error}`);
      assert.equal(r.decoder.trailers?.[0][1].length, n - 7);
    }
  });

  test('extensions and trailer sections are bounded by maxHeaderBytes', () => {
    const longExt = bytes(`1;${'e'.repeat(100)}\r\nx\r\n0\r\n\r\n`);
    assert.ok(decode(longExt, [], 64).decoder.failed);
    assert.ok(decode(longExt, [], 200).decoder.done);
    const longTrailer = bytes(`0\r\nX: ${'t'.repeat(100)}\r\n\r\n`);
    assert.match(decode(longTrailer, [], 64).decoder.error ?? '', /trailer section/);
    assert.ok(decode(longTrailer, [], 200).decoder.done);
  });

  test('a gap inside chunk data is absorbed; elsewhere it is not', () => {
    const d = new ChunkedDecoder();
    const body = new BodyCollector();
    d.reset(1024);
    body.reset(100, -1);
    const wire = bytes('a\r\n0123');
    assert.equal(d.feed(wire, 0, wire.length, body), wire.length);
    assert.ok(d.skipData(4, body)); // "4567" lost
    assert.ok(!d.skipData(3, body)); // only 2 data bytes remain: the gap would cover the CRLF
    const rest = bytes('89\r\n0\r\n\r\n');
    assert.equal(d.feed(rest, 0, rest.length, body), rest.length);
    assert.ok(d.done);
    assert.equal(body.size, 10);
    assert.ok(body.truncated);
    assert.equal(text(body.finish()), '0123'); // keeping stops at the hole
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HeaderList } from '../../core/transaction.ts';
import { contentLength, mayUpgrade, nameIs, requestFraming, responseFraming } from './body-framing.ts';
import type { RequestHead, ResponseHead } from './types.ts';

const reqHead = (method: string, headers: HeaderList): RequestHead => ({
  method, target: '/', version: 'HTTP/1.1', headers, headerBytes: 0,
});
const resHead = (status: number, headers: HeaderList, version: 'HTTP/1.0' | 'HTTP/1.1' = 'HTTP/1.1'): ResponseHead => ({
  version, status, reason: '', headers, headerBytes: 0,
});

describe('nameIs', () => {
  test('case-insensitive, length first', () => {
    assert.ok(nameIs('Content-Length', 'content-length'));
    assert.ok(nameIs('CONTENT-LENGTH', 'content-length'));
    assert.ok(!nameIs('Content-Lengths', 'content-length'));
    assert.ok(!nameIs('Content_Length', 'content-length'));
  });
});

describe('contentLength', () => {
  test('absent, single, identical repeats and lists', () => {
    assert.equal(contentLength([]), -1);
    assert.equal(contentLength([['content-length', '42']]), 42);
    assert.equal(contentLength([['Content-Length', ' 0 ']]), 0);
    assert.equal(contentLength([['Content-Length', '7'], ['CONTENT-LENGTH', '7']]), 7);
    assert.equal(contentLength([['Content-Length', '3, 3,3']]), 3);
  });

  test('malformed or conflicting is NaN', () => {
    for (const values of [['5', '6'], ['5, 6'], ['-1'], ['+5'], ['0x10'], [''], ['1 2'], ['5,'], ['1e3'],
      ['9999999999999999']]) {
      assert.ok(Number.isNaN(contentLength(values.map((v): [string, string] => ['Content-Length', v]))), values.join('|'));
    }
  });
});

describe('requestFraming (RFC 9112 §6.3)', () => {
  test('no Content-Length or Transfer-Encoding: no body', () => {
    assert.deepEqual(requestFraming(reqHead('POST', [])), { kind: 'none' });
    assert.deepEqual(requestFraming(reqHead('GET', [['Content-Length', '0']])), { kind: 'none' });
  });

  test('Content-Length and chunked; chunked wins over Content-Length', () => {
    assert.deepEqual(requestFraming(reqHead('POST', [['Content-Length', '10']])), { kind: 'length', length: 10 });
    assert.deepEqual(requestFraming(reqHead('POST', [['Transfer-Encoding', 'chunked']])), { kind: 'chunked' });
    assert.deepEqual(
      requestFraming(reqHead('POST', [['Content-Length', '10'], ['Transfer-Encoding', 'gzip, Chunked']])),
      { kind: 'chunked' },
    );
    assert.deepEqual(
      requestFraming(reqHead('POST', [['Transfer-Encoding', 'gzip'], ['Transfer-Encoding', 'chunked']])),
      { kind: 'chunked' },
    );
    assert.deepEqual(requestFraming(reqHead('POST', [['Transfer-Encoding', 'gzip;q=1 , chunked ;x=y,']])), { kind: 'chunked' });
    assert.deepEqual(requestFraming(reqHead('POST', [['Transfer-Encoding', 'chunked'], ['Transfer-Encoding', '']])), { kind: 'chunked' });
  });

  test('invalid: conflicting lengths, or a transfer-coding that does not end in chunked', () => {
    assert.equal(requestFraming(reqHead('POST', [['Content-Length', '1'], ['Content-Length', '2']])).kind, 'invalid');
    assert.equal(requestFraming(reqHead('POST', [['Transfer-Encoding', 'chunked, gzip']])).kind, 'invalid');
    assert.equal(requestFraming(reqHead('POST', [['Transfer-Encoding', '']])).kind, 'invalid');
  });
});

describe('responseFraming (RFC 9112 §6.3)', () => {
  const cl = (n: number): HeaderList => [['Content-Length', String(n)]];
  test('HEAD, 1xx, 204 and 304 never have a body, whatever the headers say', () => {
    assert.deepEqual(responseFraming(resHead(200, cl(100)), 'HEAD'), { kind: 'none' });
    assert.deepEqual(responseFraming(resHead(100, []), 'POST'), { kind: 'none' });
    assert.deepEqual(responseFraming(resHead(103, cl(5)), 'GET'), { kind: 'none' });
    assert.deepEqual(responseFraming(resHead(204, cl(5)), 'GET'), { kind: 'none' });
    assert.deepEqual(responseFraming(resHead(304, [['Transfer-Encoding', 'chunked']]), 'GET'), { kind: 'none' });
  });

  test('101 and 2xx to CONNECT switch protocols; other answers to CONNECT do not', () => {
    assert.deepEqual(responseFraming(resHead(101, []), 'GET'), { kind: 'upgrade' });
    assert.deepEqual(responseFraming(resHead(200, []), 'CONNECT'), { kind: 'upgrade' });
    assert.deepEqual(responseFraming(resHead(407, cl(0)), 'CONNECT'), { kind: 'none' });
  });

  test('length, chunked, and read-until-close when neither (or a non-chunked coding) is given', () => {
    assert.deepEqual(responseFraming(resHead(200, cl(5)), 'GET'), { kind: 'length', length: 5 });
    assert.deepEqual(responseFraming(resHead(200, [['transfer-encoding', 'CHUNKED']]), 'GET'), { kind: 'chunked' });
    assert.deepEqual(responseFraming(resHead(200, []), 'GET'), { kind: 'close' });
    assert.deepEqual(responseFraming(resHead(200, [], 'HTTP/1.0'), null), { kind: 'close' });
    assert.deepEqual(responseFraming(resHead(200, [['Transfer-Encoding', 'gzip']]), 'GET'), { kind: 'close' });
    assert.equal(responseFraming(resHead(200, [['Content-Length', 'abc']]), 'GET').kind, 'invalid');
  });
});

describe('mayUpgrade', () => {
  test('CONNECT or an Upgrade field', () => {
    assert.ok(mayUpgrade(reqHead('CONNECT', [])));
    assert.ok(mayUpgrade(reqHead('GET', [['upgrade', 'websocket']])));
    assert.ok(!mayUpgrade(reqHead('GET', [['Connection', 'keep-alive']])));
  });
});

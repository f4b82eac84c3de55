import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytes } from './fixtures/messages.ts';
import { findMessageStart, matchMessageStart, sniffHttp1, StartMatch } from './sniff.ts';

describe('sniffHttp1', () => {
  test('known methods followed by a space are requests', () => {
    for (const m of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'PROPFIND',
      'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT', 'SEARCH', 'MKCALENDAR']) {
      assert.equal(sniffHttp1(bytes(`${m} /x HTTP/1.1\r\n`)), 'request', m);
      assert.equal(sniffHttp1(bytes(`${m} `)), 'request', `${m} + SP is enough`);
    }
  });

  test('"HTTP/1." starts a response', () => {
    assert.equal(sniffHttp1(bytes('HTTP/1.1 200 OK\r\n')), 'response');
    assert.equal(sniffHttp1(bytes('HTTP/1.0')), 'response');
    assert.equal(sniffHttp1(bytes('HTTP/1.')), 'response');
  });

  test('null for other protocols, lowercase methods, and methods without the space', () => {
    for (const s of ['PRI * HTTP/2.0\r\n', '\x16\x03\x01', 'get / HTTP/1.1', 'GETX / HTTP/1.1', 'GET/ HTTP/1.1',
      'HTTP/2 200', 'SSH-2.0-OpenSSH', '']) {
      assert.equal(sniffHttp1(bytes(s)), null, JSON.stringify(s));
    }
  });

  test('too-short prefixes are null too (the caller retries with more bytes) but matchMessageStart says maybe', () => {
    for (const s of ['G', 'GE', 'GET', 'PROPPATC', 'H', 'HTTP/', 'HTTP/1']) {
      const b = bytes(s);
      assert.equal(sniffHttp1(b), null, s);
      const role = s.startsWith('HT') ? 'response' : 'request';
      assert.equal(matchMessageStart(b, 0, b.length, role), StartMatch.maybe, s);
    }
    assert.equal(matchMessageStart(bytes('GX'), 0, 2, 'request'), StartMatch.no);
    // "HEA" could still be HEAD: maybe, even though "HE" is not itself a method.
    assert.equal(matchMessageStart(bytes('HEA'), 0, 3, 'request'), StartMatch.maybe);
  });
});

describe('findMessageStart', () => {
  test('only at line starts, and at pos itself only when told it starts a line', () => {
    const buf = bytes('xx GET / HTTP/1.1\r\nbody GET\r\nGET /next HTTP/1.1\r\n');
    const second = 'xx GET / HTTP/1.1\r\nbody GET\r\n'.length;
    assert.equal(findMessageStart(buf, 0, buf.length, 'request', false), second);
    assert.equal(findMessageStart(buf, 3, buf.length, 'request', true), 3);
    assert.equal(findMessageStart(buf, 0, buf.length, 'response', false), -1);
  });

  test('reports a candidate cut short by the end of the buffer', () => {
    const buf = bytes('garbage\nHTTP/');
    assert.equal(findMessageStart(buf, 0, buf.length, 'response', false), 8);
    assert.equal(findMessageStart(bytes('garbage\n'), 0, 8, 'response', false), -1);
  });
});

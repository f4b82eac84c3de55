// Session.segmentStart(): passive capture says where TCP segments begin, so a stream that lost sync finds the
// next message even when the body before it does not end with a newline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Http1Session } from './session.ts';

const enc = new TextEncoder();
const response = (status: number, body: string) => enc.encode(`HTTP/1.1 ${status} X\r\nContent-Length: ${body.length}\r\n\r\n${body}`);

function lostHeadThenTwoResponses(hint: boolean): Array<number | undefined> {
  const s = new Http1Session();
  s.push('request', enc.encode('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n'), 1);
  const first = response(200, 'no newline at the end');
  s.push('response', first.subarray(0, 10), 2);
  s.gap('response', 20, 3); // the rest of the head is lost: sync is gone
  s.push('response', first.subarray(30), 4); // body bytes, then the next responses, one segment each
  for (const [status, ts] of [[201, 5], [202, 6]]) {
    if (hint) s.segmentStart('response');
    s.push('response', response(status, 'body'), ts);
  }
  s.end('response', 7);
  return s.take().map((e) => e.response?.head.status);
}

test('after a lost head, responses starting new segments are found when the capture says so', () => {
  assert.deepEqual(lostHeadThenTwoResponses(true), [undefined, 201, 202]);
  // Without the hint, a message glued to a body that ends mid-line is not trusted.
  assert.deepEqual(lostHeadThenTwoResponses(false), [undefined, undefined, undefined]);
});

test('segmentStart outside a resync changes nothing', () => {
  const s = new Http1Session();
  s.push('request', enc.encode('GET / HTTP/1.1\r\n\r\n'), 1);
  const r = response(200, 'abcdef');
  s.segmentStart('response');
  s.push('response', r.subarray(0, 20), 2);
  s.segmentStart('response');
  s.push('response', r.subarray(20), 3);
  assert.deepEqual(s.take().map((e) => [e.response?.head.status, e.response?.complete]), [[200, true]]);
});

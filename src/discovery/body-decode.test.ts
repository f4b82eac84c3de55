import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyKindOf, decodeBody, sniffMediaType } from './body-decode.ts';

const enc = new TextEncoder();

test('media types map to body kinds', () => {
  assert.equal(bodyKindOf('application/json'), 'json');
  assert.equal(bodyKindOf('application/problem+json'), 'json');
  assert.equal(bodyKindOf('application/x-www-form-urlencoded'), 'form');
  assert.equal(bodyKindOf('multipart/form-data'), 'multipart');
  assert.equal(bodyKindOf('text/plain'), 'text');
  assert.equal(bodyKindOf('application/soap+xml'), 'text');
  assert.equal(bodyKindOf('image/png'), 'binary');
});

test('JSON: parsed; cut short or malformed reported, not thrown', () => {
  assert.deepEqual(decodeBody(enc.encode('{"a":[1]}'), false, 'application/json', 'application/json'), { kind: 'value', value: { a: [1] }, files: [] });
  assert.deepEqual(decodeBody(enc.encode('{"a":[1'), true, 'application/json', ''), { kind: 'unparsed', reason: 'truncated' });
  assert.deepEqual(decodeBody(enc.encode('{nope}'), false, 'application/json', ''), { kind: 'unparsed', reason: 'invalid' });
  assert.deepEqual(decodeBody(new Uint8Array(0), false, 'application/json', ''), { kind: 'absent' });
});

test('forms: typed fields, repeated names as arrays', () => {
  const d = decodeBody(enc.encode('a=1&b=x+y&b=z&c=true&__proto__=1'), false, 'application/x-www-form-urlencoded', '');
  assert.deepEqual(d, { kind: 'value', value: { a: 1, b: ['x y', 'z'], c: true }, files: [] });
});

test('multipart: text fields typed, file parts listed with their media type', () => {
  const body = '--B\r\nContent-Disposition: form-data; name="n"\r\n\r\n42\r\n--B\r\nContent-Disposition: form-data; name="doc"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--B--\r\n';
  assert.deepEqual(decodeBody(enc.encode(body), false, 'multipart/form-data', 'multipart/form-data; boundary="B"'), {
    kind: 'value',
    value: { n: 42 },
    files: [['doc', 'application/pdf']],
  });
  assert.deepEqual(decodeBody(enc.encode(body), false, 'multipart/form-data', 'multipart/form-data'), { kind: 'unparsed', reason: 'invalid' });
  const cut = decodeBody(enc.encode(body.slice(0, 60)), true, 'multipart/form-data', 'multipart/form-data; boundary=B');
  assert.deepEqual(cut, { kind: 'value', value: { n: 42 }, files: [] }, 'parts complete before the cut are kept');
});

test('text kept as a string, binary as such; unlabelled bodies sniffed', () => {
  assert.deepEqual(decodeBody(enc.encode('hi'), false, 'text/plain', ''), { kind: 'value', value: 'hi', files: [] });
  assert.deepEqual(decodeBody(new Uint8Array([1, 2]), false, 'image/png', ''), { kind: 'binary' });
  assert.equal(sniffMediaType(enc.encode(' {"a":1}')), 'application/json');
  assert.equal(sniffMediaType(enc.encode('{"a":')), 'application/octet-stream');
  assert.equal(sniffMediaType(enc.encode('hello')), 'application/octet-stream');
});

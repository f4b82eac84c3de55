import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientHelloServerName } from './client-hello.ts';

const u16 = (n: number) => [n >> 8, n & 0xff];
const u24 = (n: number) => [n >> 16, (n >> 8) & 0xff, n & 0xff];

/** A ClientHello record with the given extensions (each [type, data]). */
function clientHello(extensions: Array<[number, number[]]>, sessionId = 32): Uint8Array {
  const ext = extensions.flatMap(([type, data]) => [...u16(type), ...u16(data.length), ...data]);
  const body = [3, 3, ...new Array(32).fill(7), sessionId, ...new Array(sessionId).fill(1), ...u16(4), 0x13, 0x01, 0x13, 0x02, 1, 0, ...u16(ext.length), ...ext];
  const hs = [1, ...u24(body.length), ...body];
  return Uint8Array.from([22, 3, 1, ...u16(hs.length), ...hs]);
}

function sni(...names: Array<[type: number, name: string]>): [number, number[]] {
  const list = names.flatMap(([t, name]) => [t, ...u16(name.length), ...Buffer.from(name, 'latin1')]);
  return [0, [...u16(list.length), ...list]];
}

test('the server name of a ClientHello, among other extensions', () => {
  assert.equal(clientHelloServerName(clientHello([[10, [0, 2, 0, 29]], sni([0, 'API.Example.com']), [16, [0, 3, 2, 104, 50]]])), 'api.example.com');
  assert.equal(clientHelloServerName(clientHello([sni([0, 'a.b'])], 0)), 'a.b', 'no session id');
});

test('no server name, other messages and malformed bytes give undefined', () => {
  assert.equal(clientHelloServerName(clientHello([[10, [0, 2, 0, 29]]])), undefined);
  assert.equal(clientHelloServerName(clientHello([sni([1, 'x'])])), undefined, 'not a host_name entry');
  assert.equal(clientHelloServerName(clientHello([sni([0, 'bad name'])])), undefined);
  assert.equal(clientHelloServerName(Uint8Array.from([23, 3, 3, 0, 5, 1, 2, 3, 4, 5])), undefined, 'application data');
  assert.equal(clientHelloServerName(new Uint8Array(0)), undefined);
});

test('every truncation and random corruption of a ClientHello is handled without throwing', () => {
  const full = clientHello([[10, [0, 2, 0, 29]], sni([0, 'api.example.com'])]);
  for (let cut = 0; cut < full.length; cut++) {
    const r = clientHelloServerName(full.subarray(0, cut));
    assert.ok(r === undefined || r === 'api.example.com');
  }
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 0x1000000;
  for (let i = 0; i < 5000; i++) {
    const m = Uint8Array.from(full);
    for (let k = 0; k < 4; k++) m[Math.floor(rand() * m.length)] = Math.floor(rand() * 256);
    const r = clientHelloServerName(m);
    assert.ok(r === undefined || typeof r === 'string');
  }
});

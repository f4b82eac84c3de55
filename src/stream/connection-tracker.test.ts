import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as W from '../capture/wire.ts';
import type { ConnRecord, DataRecord } from '../capture/decode.ts';
import { ConnectionTracker, type TrackerEnvironment } from './connection-tracker.ts';
import { MAX_UNSYNCED_BYTES } from './flow.ts';

const enc = new TextEncoder();
const REQ = enc.encode('GET /a?q=1 HTTP/1.1\r\nHost: example.test:8443\r\nUser-Agent: t\r\n\r\n');
const RES = enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');

function env(forgotten: string[] = []): TrackerEnvironment {
  return {
    process: (pid) => ({ pid, exe: '/usr/bin/test', cmdline: ['test'], uid: 0, user: 'root', cgroupPath: '' }),
    tlsLibrary: (cookie) => (cookie === 1 ? 'openssl' : undefined),
    wallMs: (ns) => 1_700_000_000_000 + ns / 1e6,
    forgetSocket: (pid, fd, connId) => forgotten.push(`${pid}:${fd}:${connId}`),
  };
}

function data(over: Partial<DataRecord>): DataRecord {
  return { source: W.CT_SRC_SYSCALL, op: W.CT_OP_SEND, gap: false, pid: 10, tid: 10, tsNs: 1e6, stream: 77, offset: 0, callLen: 0, cookie: 5, payload: new Uint8Array(0), ...over };
}

function conn(over: Partial<ConnRecord> = {}): ConnRecord {
  const v4 = (a: number[]) => Uint8Array.from([...a, ...new Array(12).fill(0)]);
  return { dir: W.CT_DIR_EGRESS, family: 2, pid: 10, tsNs: 0, connId: 77, fd: 5, localAddr: v4([127, 0, 0, 1]), localPort: 40000, remoteAddr: v4([127, 0, 0, 2]), remotePort: 8443, ...over };
}

test('a plaintext egress exchange becomes one transaction with addresses and process', () => {
  const t = new ConnectionTracker(env());
  t.onConn(conn());
  t.onData(data({ payload: REQ, callLen: REQ.length, tsNs: 1e6 }));
  t.onData(data({ op: W.CT_OP_RECV, payload: RES, callLen: RES.length, tsNs: 3e6 }));
  const [tx, ...rest] = t.drain();
  assert.equal(rest.length, 0);
  assert.equal(tx.direction, 'egress');
  assert.equal(tx.request.url, 'http://example.test:8443/a?q=1');
  assert.equal(tx.request.path, '/a');
  assert.equal(tx.host, 'example.test');
  assert.equal(tx.response?.status, 200);
  assert.equal(new TextDecoder().decode(tx.response?.body), 'hello');
  assert.deepEqual(tx.local, { address: '127.0.0.1', port: 40000 });
  assert.deepEqual(tx.remote, { address: '127.0.0.2', port: 8443 });
  assert.equal(tx.bytesSent, REQ.length);
  assert.equal(tx.bytesReceived, RES.length);
  assert.equal(tx.durationMs, 2);
  assert.equal(tx.process?.exe, '/usr/bin/test');
});

test('TLS data before the bind still gets the socket once bound; the role comes from the bytes', () => {
  const t = new ConnectionTracker(env());
  t.onConn(conn({ dir: W.CT_DIR_INGRESS, connId: 5 }));
  // A server: it receives the request through SSL_read before its socket is tied to the SSL*.
  t.onData(data({ source: W.CT_SRC_TLS, op: W.CT_OP_RECV, stream: 0xabc, cookie: 1, payload: REQ }));
  t.onBind({ pid: 10, tsNs: 2e6, ssl: 0xabc, connId: 5, fd: 5, cookie: 1 });
  t.onData(data({ source: W.CT_SRC_TLS, op: W.CT_OP_SEND, stream: 0xabc, cookie: 1, payload: RES, tsNs: 4e6 }));
  const [tx] = t.drain();
  assert.equal(tx.direction, 'ingress');
  assert.equal(tx.scheme, 'https');
  assert.equal(tx.tlsLibrary, 'openssl');
  assert.equal(tx.request.url, 'https://example.test:8443/a?q=1');
  assert.equal(tx.bytesReceived, REQ.length);
  assert.equal(tx.bytesSent, RES.length);
  assert.deepEqual(tx.local, { address: '127.0.0.1', port: 40000 });
});

test('a gap inside a body is reported, not spliced, and counted', () => {
  const t = new ConnectionTracker(env());
  t.onConn(conn());
  t.onData(data({ payload: REQ }));
  const head = enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
  t.onData(data({ op: W.CT_OP_RECV, payload: head }));
  t.onData(data({ op: W.CT_OP_RECV, gap: true, offset: head.length, callLen: 4 }));
  t.onData(data({ op: W.CT_OP_RECV, offset: head.length + 4, payload: enc.encode('xyz') }));
  const [tx] = t.drain();
  assert.equal(tx.response?.bodySize, 10);
  assert.equal(tx.response?.bodyTruncated, true);
  assert.equal(tx.gapBytes, 4);
  assert.equal(t.counters.gapBytes, 4);
});

test('an overlapping chunk is trimmed to the new bytes', () => {
  const t = new ConnectionTracker(env());
  t.onConn(conn());
  t.onData(data({ payload: REQ.subarray(0, 20) }));
  t.onData(data({ payload: REQ.subarray(10), offset: 10 }));
  t.onData(data({ op: W.CT_OP_RECV, payload: RES }));
  assert.equal(t.drain()[0].request.path, '/a');
  assert.equal(t.counters.duplicateBytes, 10);
});

test('close finishes a read-until-close response; exit forgets the kernel entries', () => {
  const forgotten: string[] = [];
  const t = new ConnectionTracker(env(forgotten));
  t.onConn(conn());
  t.onData(data({ payload: REQ }));
  t.onData(data({ op: W.CT_OP_RECV, payload: enc.encode('HTTP/1.0 200 OK\r\n\r\nuntil close') }));
  assert.equal(t.drain().length, 0, 'the body ends only at close');
  t.onClose({ pid: 10, tsNs: 9e6, connId: 77, ssl: 0, fd: 5, sent: 0, received: 0 });
  const [tx] = t.drain();
  assert.equal(new TextDecoder().decode(tx.response?.body), 'until close');

  t.onConn(conn({ connId: 78, fd: 6 }));
  t.onData(data({ stream: 78, cookie: 6, payload: REQ }));
  t.onExit(10, 10e6);
  const [unanswered] = t.drain();
  assert.equal(unanswered.response, undefined);
  assert.equal(t.counters.unanswered, 1);
  assert.deepEqual(forgotten, ['10:6:78']);
  assert.equal(t.flowCount, 0);
});

test('connections that are not HTTP are counted and, past the sync limit, left alone', () => {
  const t = new ConnectionTracker(env());
  t.onConn(conn());
  const binary = new Uint8Array(MAX_UNSYNCED_BYTES + 1).fill(7);
  t.onData(data({ payload: binary }));
  t.onData(data({ payload: REQ, offset: binary.length }));
  t.onData(data({ op: W.CT_OP_RECV, payload: RES }));
  assert.equal(t.drain().length, 0, 'an HTTP-looking call after that much binary is not taken for HTTP');
  assert.equal(t.counters.notHttpBytes, binary.length + REQ.length + RES.length);
});

test('idle flows expire and the table is bounded', () => {
  const t = new ConnectionTracker(env(), { idleNs: 1e9, maxFlows: 2 });
  for (const id of [1, 2, 3]) {
    t.onConn(conn({ connId: id, fd: id }));
    t.onData(data({ stream: id, cookie: id, payload: REQ, tsNs: id * 1e6 }));
  }
  assert.equal(t.counters.flowsEvicted, 1);
  assert.equal(t.flowCount, 2);
  t.sweep(5e9);
  assert.equal(t.flowCount, 0);
  assert.equal(t.counters.flowsExpired, 2);
  assert.equal(t.drain().length, 3, 'each evicted or expired request is still reported');
});

test('an SSL* address reused by a new connection before the old socket is closed', () => {
  const t = new ConnectionTracker(env());
  const tls = (over: Partial<DataRecord>) => data({ source: W.CT_SRC_TLS, stream: 0x5000, cookie: 1, ...over });
  t.onConn(conn({ connId: 1, fd: 3 }));
  t.onBind({ pid: 10, tsNs: 1, ssl: 0x5000, connId: 1, fd: 3, cookie: 1 });
  t.onData(tls({ payload: REQ }));
  t.onData(tls({ op: W.CT_OP_RECV, payload: RES }));
  // The first SSL object is freed; the second connection gets the same address; the first socket closes late.
  t.onConn(conn({ connId: 2, fd: 4, localPort: 40001 }));
  t.onBind({ pid: 10, tsNs: 2, ssl: 0x5000, connId: 2, fd: 4, cookie: 1 });
  t.onData(tls({ payload: REQ, offset: REQ.length }));
  t.onClose({ pid: 10, tsNs: 3, connId: 1, ssl: 0x5000, fd: 3, sent: 0, received: 0 });
  t.onData(tls({ op: W.CT_OP_RECV, payload: RES, offset: RES.length }));
  const txs = t.drain();
  assert.equal(txs.length, 2);
  assert.deepEqual(txs.map((x) => x.local?.port), [40000, 40001]);
  assert.notEqual(txs[0].connectionId, txs[1].connectionId);
});

test('a TLS exchange finished before its socket is known waits for the tie, then for bindWaitNs at most', () => {
  const t = new ConnectionTracker(env(), { bindWaitNs: 100e6 });
  const tls = (over: Partial<DataRecord>) => data({ source: W.CT_SRC_TLS, stream: 0x7000, cookie: 1, ...over });
  t.onConn(conn({ dir: W.CT_DIR_INGRESS, connId: 9, fd: 9 }));
  t.onData(tls({ op: W.CT_OP_RECV, payload: REQ, tsNs: 1e6 }));
  t.onData(tls({ op: W.CT_OP_SEND, payload: RES, tsNs: 2e6 }));
  assert.equal(t.drain().length, 0, 'held until the SSL* is tied to its socket');
  t.onBind({ pid: 10, tsNs: 3e6, ssl: 0x7000, connId: 9, fd: 9, cookie: 1 });
  const [tx] = t.drain();
  assert.equal(tx.direction, 'ingress');
  assert.deepEqual(tx.local, { address: '127.0.0.1', port: 40000 });

  const other = (over: Partial<DataRecord>) => tls({ stream: 0x8000, ...over });
  t.onData(other({ op: W.CT_OP_RECV, payload: REQ, tsNs: 10e6 }));
  t.onData(other({ op: W.CT_OP_SEND, payload: RES, tsNs: 11e6 }));
  t.sweep(50e6);
  assert.equal(t.drain().length, 0);
  t.sweep(200e6);
  const [unbound] = t.drain();
  assert.equal(unbound.local, undefined, 'never tied: emitted without addresses');
  assert.equal(unbound.direction, 'ingress', 'direction from the bytes: it received the request');
});

test('a connection joined mid-message is picked up at the next message start', () => {
  const t = new ConnectionTracker(env());
  t.onConn(conn());
  // The agent started during a response body: those bytes cannot be parsed, the next exchange can.
  t.onData(data({ op: W.CT_OP_RECV, payload: enc.encode('...rest of an earlier body'), offset: 500 }));
  t.onData(data({ payload: REQ, offset: 100 }));
  t.onData(data({ op: W.CT_OP_RECV, payload: RES, offset: 526 }));
  const [tx] = t.drain();
  assert.equal(tx.request.path, '/a');
  assert.equal(tx.response?.status, 200);
  assert.equal(t.counters.notHttpBytes, 26);
});

test('bytes lost after the last record of a plaintext socket are recovered as a gap at close', () => {
  const t = new ConnectionTracker(env());
  t.onConn(conn());
  t.onData(data({ payload: REQ }));
  const head = enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
  t.onData(data({ op: W.CT_OP_RECV, payload: head }));
  // Every body record was dropped; the close record still knows how much the socket moved.
  t.onClose({ pid: 10, tsNs: 5e6, connId: 77, ssl: 0, fd: 5, sent: REQ.length, received: head.length + 1000 });
  const [tx] = t.drain();
  assert.equal(tx.response?.bodySize, 1000);
  assert.equal(tx.gapBytes, 1000);
});

test('a response cut short with nothing to account for the rest is marked incomplete', () => {
  const t = new ConnectionTracker(env());
  t.onConn(conn());
  t.onData(data({ payload: REQ }));
  t.onData(data({ op: W.CT_OP_RECV, payload: enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc') }));
  t.onExit(10, 9e6); // the process died: no close record, no byte counts
  const [tx] = t.drain();
  assert.equal(tx.incomplete, true);
  assert.equal(tx.response?.bodySize, 3);
});

test('exec starts afresh: the old image\'s sockets are finished and forgotten, its SSL* streams dropped', () => {
  const forgotten: string[] = [];
  const t = new ConnectionTracker(env(forgotten));
  t.onConn(conn({ connId: 3, fd: 3 }));
  t.onData(data({ stream: 3, cookie: 3, payload: REQ }));
  t.onData(data({ source: W.CT_SRC_TLS, stream: 0x9000, cookie: 1, payload: REQ }));
  t.onExec({ pid: 10, ppid: 1, uid: 0, tsNs: 5e6, filename: '/usr/bin/next', argv: ['next'], argvTruncated: false });
  assert.deepEqual(forgotten, ['10:3:3']);
  assert.equal(t.flowCount, 0);
  assert.equal(t.drain().length, 2, 'the requests in flight are reported without a response');
});

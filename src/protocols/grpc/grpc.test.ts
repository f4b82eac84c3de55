import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grpcMessages, grpcMethod, grpcStatus, isGrpc } from './index.ts';

const frame = (flag: number, payload: string) => Buffer.concat([Buffer.from([flag, 0, 0, 0, payload.length]), Buffer.from(payload)]);

test('content types and methods', () => {
  assert.deepEqual(['application/grpc', 'application/grpc+proto', 'application/grpc-web+proto', 'application/grpc; charset=x', 'application/json', undefined].map(isGrpc), [true, true, true, true, false, false]);
  assert.deepEqual(grpcMethod('/helloworld.Greeter/SayHello'), { service: 'helloworld.Greeter', method: 'SayHello' });
  assert.equal(grpcMethod('/not/a/grpc/path'), undefined);
});

test('length-prefixed messages: whole, compressed, cut off by truncation, malformed', () => {
  const body = Buffer.concat([frame(0, 'one'), frame(1, 'two')]);
  const r = grpcMessages(body, false);
  assert.deepEqual(r.messages.map((m) => [m.compressed, m.length, Buffer.from(m.data).toString()]), [[false, 3, 'one'], [true, 3, 'two']]);
  assert.equal(r.complete, true);
  const cut = grpcMessages(body.subarray(0, 10), true);
  assert.deepEqual([cut.messages.length, cut.complete, cut.invalid], [1, false, undefined]);
  assert.match(grpcMessages(Buffer.from([7, 0, 0, 0, 0]), false).invalid ?? '', /flag 7/);
});

test('status from trailers, with the message percent-decoded', () => {
  assert.deepEqual(grpcStatus([['grpc-status', '5'], ['grpc-message', 'user%20not%20found']]), { code: 5, name: 'NOT_FOUND', message: 'user not found' });
  assert.deepEqual(grpcStatus([['grpc-status', '0']]), { code: 0, name: 'OK' });
  assert.equal(grpcStatus([['content-type', 'application/grpc']]), undefined);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Transaction } from '../core/transaction.ts';
import { createRedactor, maskHeaderValue } from './redaction.ts';
import { API_KEY, failingGetTx, postOrderTx } from './test-support.ts';

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

describe('createRedactor: headers', () => {
  it('masks the default sensitive headers in requests and responses, keeping the auth scheme', () => {
    const tx = postOrderTx();
    tx.request.headers.push(['x-api-key', 'k1'], ['APIKey', 'k2'], ['X-Goog-Api-Key', 'k3'], ['X-Auth-Token', 't'], ['Proxy-Authorization', 'Basic dTpw']);
    const out = createRedactor()(tx);
    assert.deepEqual(out.request.headers, [
      ['Host', 'api.example.com'],
      ['User-Agent', 'curl/7.88.1'],
      ['Authorization', 'Bearer [REDACTED]'],
      ['Cookie', '[REDACTED]'],
      ['Content-Type', 'application/json'],
      ['X-Tenant', 'acme'],
      ['x-api-key', '[REDACTED]'],
      ['APIKey', '[REDACTED]'],
      ['X-Goog-Api-Key', '[REDACTED]'],
      ['X-Auth-Token', '[REDACTED]'],
      ['Proxy-Authorization', 'Basic [REDACTED]'],
    ]);
    assert.deepEqual(out.response!.headers, [
      ['Content-Type', 'application/json'],
      ['Set-Cookie', '[REDACTED]'],
    ]);
  });

  it('never changes the transaction it was given', () => {
    const tx = postOrderTx();
    const before = structuredClone(tx);
    createRedactor({ headers: ['x-tenant'], jsonFields: ['password'] })(tx);
    assert.deepEqual(tx, before);
  });

  it('masks configured extra headers (any case) and trailers', () => {
    const tx = postOrderTx();
    tx.response!.trailers = [['X-Tenant', 'acme'], ['Grpc-Status', '0']];
    const out = createRedactor({ headers: ['X-TENANT'] })(tx);
    assert.deepEqual(out.request.headers[5], ['X-Tenant', '[REDACTED]']);
    assert.deepEqual(out.response!.trailers, [['X-Tenant', '[REDACTED]'], ['Grpc-Status', '0']]);
  });

  it('returns the very same transaction when there is nothing to mask', () => {
    const tx = failingGetTx();
    assert.equal(createRedactor({ jsonFields: ['password'] })(tx), tx);
  });

  it('maskHeaderValue: scheme kept only for Authorization headers; empty stays empty', () => {
    assert.equal(maskHeaderValue('Authorization', 'Bearer abc'), 'Bearer [REDACTED]');
    assert.equal(maskHeaderValue('Authorization', 'abc'), '[REDACTED]');
    assert.equal(maskHeaderValue('Cookie', 'a=b c=d'), '[REDACTED]');
    assert.equal(maskHeaderValue('Cookie', ''), '');
  });
});

describe('createRedactor: JSON bodies', () => {
  it('masks configured fields in JSON bodies and adjusts the body size', () => {
    const out = createRedactor({ jsonFields: ['Password', 'token'] })(postOrderTx());
    assert.equal(text(out.request.body), '{"user":"alice","password":"[REDACTED]"}');
    assert.equal(out.request.bodySize, out.request.body.byteLength);
    assert.equal(text(out.response!.body), '{"id":7,"token":"[REDACTED]","items":[{"sku":"a"}]}');
  });

  it('leaves bodies that are not JSON by content type alone', () => {
    const tx = postOrderTx();
    tx.request.headers[4] = ['Content-Type', 'text/plain'];
    const out = createRedactor({ jsonFields: ['password'] })(tx);
    assert.equal(out.request.body, tx.request.body);
  });

  it('accepts +json and charset parameters; a truncated body is masked to its end', () => {
    const tx = postOrderTx();
    tx.request.headers[4] = ['Content-Type', 'application/vnd.api+json; charset=utf-8'];
    const cut = new TextEncoder().encode('{"user":"alice","password":"hun');
    tx.request.body = cut;
    tx.request.bodySize = 4000;
    tx.request.bodyTruncated = true;
    const out = createRedactor({ jsonFields: ['password'] })(tx);
    assert.equal(text(out.request.body), '{"user":"alice","password":"[REDACTED]"');
    assert.equal(out.request.bodySize, 4000 + out.request.body.byteLength - cut.byteLength);
  });

  it('does not throw on bodies that are not valid UTF-8 or JSON', () => {
    const tx = postOrderTx();
    tx.request.body = new Uint8Array([0x7b, 0xff, 0xfe, 0x22, 0x00]);
    assert.doesNotThrow(() => createRedactor({ jsonFields: ['password'] })(tx));
  });
});

describe('createRedactor: command lines', () => {
  it('masks curl -H credentials and -u passwords, once per process', () => {
    const tx = postOrderTx();
    tx.process!.cmdline = ['curl', '-u', 'bob:pa:ss', '--user=eve:pw', '-H', 'Authorization: Bearer x', '--header=X-Api-Key: k', '-H', 'Accept: */*'];
    const redact = createRedactor();
    const out = redact(tx);
    assert.deepEqual(out.process!.cmdline, ['curl', '-u', 'bob:[REDACTED]', '--user=eve:[REDACTED]', '-H', 'Authorization: Bearer [REDACTED]', '--header=X-Api-Key: [REDACTED]', '-H', 'Accept: */*']);
    const again: Transaction = { ...tx, id: 'tx-9' };
    assert.equal(redact(again).process, out.process, 'the masked process is cached per ProcessContext');
    assert.ok(!JSON.stringify(out).includes(API_KEY));
  });
});

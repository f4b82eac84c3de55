import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { contentCategory } from '../content-category.ts';
import { createRedactor } from '../redaction.ts';
import { API_KEY, failingGetTx, postOrderTx, testServices } from '../test-support.ts';
import { findAuthToken, maskToken } from './auth-token.ts';
import { reportUsagePlugin } from './report-usage.ts';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('report_usage', () => {
  it('submits one Request event per transaction, with the masked and hashed token from the unmasked request', async () => {
    const s = testServices();
    const plugin = await reportUsagePlugin.create({ tags: ['team:payments'], headers: ['X-Tenant', 'Authorization', 'X-Missing'] }, s);
    const tx = postOrderTx();
    plugin.onTransaction({ tx: createRedactor()(tx), direction: 'egress-external', fields: () => ({}), unmaskedTx: tx });
    assert.deepEqual(s.eventStore.events, [
      {
        type: 'request',
        item: {
          connectionId: 'c1',
          requestId: 'tx-1',
          tags: ['team:payments', 'x-tenant:acme', 'authorization:Bearer [REDACTED]'],
          timestamp: '2025-01-01T00:00:00.000Z',
          direction: 'egress-external',
          url: 'https://api.example.com/v1/orders?dry=1',
          path: '/v1/orders',
          method: 'POST',
          status: 201,
          duration: 42,
          contentType: 'application/json',
          category: 'app',
          agent: 'curl/7.88.1',
          bytesSent: 310,
          bytesReceived: 1264,
          authTokenMask: 'sk-...1234',
          authTokenHash: sha256(API_KEY),
          authTokenSource: 'Authorization',
          authTokenType: 'bearer',
        },
      },
    ]);
    assert.ok(!JSON.stringify(s.eventStore.events).includes(API_KEY));
  });

  it('without a token or response: no auth keys, status 0, the request\'s content type', async () => {
    const s = testServices();
    const plugin = await reportUsagePlugin.create(undefined, s);
    const tx = failingGetTx();
    delete tx.response;
    tx.request.headers.push(['Content-Type', 'text/plain']);
    plugin.onTransaction({ tx, direction: 'egress-internal', fields: () => ({}), unmaskedTx: tx });
    const item = s.eventStore.events[0]!.item as unknown as Record<string, unknown>;
    assert.equal(item.status, 0);
    assert.equal(item.contentType, 'text/plain');
    assert.equal(item.category, 'text');
    assert.deepEqual(item.tags, []);
    assert.ok(!('authTokenMask' in item));
  });
});

describe('auth tokens', () => {
  it('finds bearer, basic and raw Authorization values, then the API-key headers in order', () => {
    assert.deepEqual(findAuthToken([['authorization', 'Bearer  abc ']]), { token: 'abc', source: 'Authorization', type: 'bearer' });
    assert.deepEqual(findAuthToken([['Authorization', 'Basic dXNlcjpwYXNz']]), { token: 'dXNlcjpwYXNz', source: 'Authorization', type: 'basic' });
    assert.deepEqual(findAuthToken([['Authorization', 'Token abc']]), { token: 'Token abc', source: 'Authorization', type: 'raw' });
    assert.deepEqual(findAuthToken([['X-Auth-Token', 't1'], ['apikey', 'k1']]), { token: 'k1', source: 'APIKey', type: 'api_key' });
    assert.deepEqual(findAuthToken([['x-auth-token', 't1']]), { token: 't1', source: 'X-Auth-Token', type: 'raw' });
    assert.equal(findAuthToken([['Accept', '*/*']]), undefined);
  });

  it('the mask keeps a vendor prefix and the last 4 characters, and nothing of short tokens', () => {
    assert.equal(maskToken(API_KEY), 'sk-...1234');
    assert.equal(maskToken('ghp_0123456789abcdefWXYZ'), 'ghp_...WXYZ');
    assert.equal(maskToken('0123456789abcdef'), '...cdef');
    assert.equal(maskToken('sk-short'), 'sk-...');
    assert.equal(maskToken('12345678'), '...');
  });
});

it('contentCategory', () => {
  assert.deepEqual(
    ['application/json', 'TEXT/html; charset=utf-8', 'image/png', 'font/woff2', 'multipart/form-data', 'x-custom/thing', '', 'json'].map(contentCategory),
    ['app', 'text', 'image', 'font', 'multipart', 'other', 'other', 'other'],
  );
});

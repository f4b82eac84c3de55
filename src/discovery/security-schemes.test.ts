import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestSecurity, type SecurityScheme } from './security-schemes.ts';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln';

test('Authorization schemes', () => {
  const schemes = new Map<string, SecurityScheme>();
  assert.deepEqual(requestSecurity([['Authorization', 'Basic YTpi']], [], schemes).ids, ['basicAuth']);
  assert.deepEqual(requestSecurity([['authorization', `Bearer ${JWT}`]], [], schemes).ids, ['bearerJwt']);
  assert.deepEqual(requestSecurity([['Authorization', 'Bearer opaque-token-123']], [], schemes).ids, ['bearerAuth']);
  assert.deepEqual(requestSecurity([['Authorization', 'Digest username="a"']], [], schemes).ids, ['digestAuth']);
  assert.deepEqual(requestSecurity([['Authorization', 'rawtoken']], [], schemes).ids, ['authorizationHeader']);
  assert.deepEqual(schemes.get('bearerJwt'), { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  assert.deepEqual(schemes.get('digestAuth'), { type: 'http', scheme: 'digest' });
});

test('API keys in headers and the query; session cookies; several at once form one requirement', () => {
  const schemes = new Map<string, SecurityScheme>();
  const r = requestSecurity(
    [['X-API-Key', 'k'], ['Cookie', 'session_id=1; theme=dark; _ga=x'], ['X-Tenant', 't']],
    [['api_key', 'v'], ['key', 'short'], ['token', 'long-enough-to-be-a-token']],
    schemes,
  );
  assert.deepEqual(r.ids, ['apiKeyHeader.x-api-key', 'apiKeyQuery.api_key', 'apiKeyQuery.token', 'cookie.session_id']);
  assert.deepEqual([...r.headers], ['x-api-key']);
  assert.deepEqual([...r.query], ['api_key', 'token']);
  assert.deepEqual(schemes.get('cookie.session_id'), { type: 'apiKey', in: 'cookie', name: 'session_id' });
  assert.deepEqual(requestSecurity([['Accept', '*/*']], [], schemes).ids, []);
});

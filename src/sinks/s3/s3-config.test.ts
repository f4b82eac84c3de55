import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CleartapError } from '../../core/errors.ts';
import { s3Error } from './s3-backend.ts';
import { objectUrl, readS3Settings } from './s3-config.ts';

const keys = { access_key: { type: 'text', value: 'AK' }, secret_key: { type: 'env', value: 'SK_VAR' } };
const env = { SK_VAR: 'secret' };

describe('s3 settings', () => {
  it('MinIO style: host:port with insecure is plain http, path-style, with static keys', () => {
    const s = readS3Settings({ endpoint: '127.0.0.1:9000', bucket: 'qpoint', insecure: true, ...keys }, 'x', env);
    assert.equal(s.endpointUrl, 'http://127.0.0.1:9000');
    assert.equal(s.forcePathStyle, true);
    assert.deepEqual(s.credentials, { accessKeyId: 'AK', secretAccessKey: 'secret' });
    assert.equal(s.region, 'us-east-1');
    assert.equal(objectUrl(s, 'abc'), 'http://127.0.0.1:9000/qpoint/abc');
  });

  it('AWS: no endpoint means the SDK addresses AWS itself (virtual-hosted), and no keys means the default chain', () => {
    const s = readS3Settings({ bucket: 'b', region: 'eu-west-1' }, 'x', env);
    assert.equal(s.endpointUrl, undefined);
    assert.equal(s.forcePathStyle, false);
    assert.equal(s.credentials, undefined);
    assert.equal(objectUrl(s, 'abc'), 'https://s3.amazonaws.com/b/abc');
  });

  it('GCS: a URL endpoint with HMAC keys; access_url fills its placeholders', () => {
    const s = readS3Settings(
      { endpoint: 'https://storage.googleapis.com', bucket: 'g', region: 'auto', access_url: 'https://cdn.example/{{BUCKET}}/{{DIGEST}}?via={{ENDPOINT}}', ...keys },
      'x',
      env,
    );
    assert.equal(s.endpointUrl, 'https://storage.googleapis.com');
    assert.equal(s.forcePathStyle, true);
    assert.equal(objectUrl(s, 'd1'), 'https://cdn.example/g/d1?via=storage.googleapis.com');
  });

  it('a missing bucket, or only one of the two keys, is CT_ERR_CONFIG', () => {
    assert.throws(() => readS3Settings({ endpoint: 'x:1' }, 'x', env), { code: 'CT_ERR_CONFIG' });
    assert.throws(() => readS3Settings({ bucket: 'b', access_key: 'AK' }, 'x', env), { code: 'CT_ERR_CONFIG' });
  });

  it('errors: refused credentials are CT_ERR_STORE_AUTH, a missing bucket or a dead endpoint CT_ERR_STORE', () => {
    const s = readS3Settings({ bucket: 'b', ...keys }, 'x', env);
    const code = (err: unknown) => (err as CleartapError).code;
    assert.equal(code(s3Error({ name: 'InvalidAccessKeyId', message: 'no such key', $metadata: { httpStatusCode: 403 } }, s, 'PUT d')), 'CT_ERR_STORE_AUTH');
    assert.equal(code(s3Error({ name: 'Unknown', $metadata: { httpStatusCode: 403 } }, s, 'HeadBucket')), 'CT_ERR_STORE_AUTH');
    assert.equal(code(s3Error({ name: 'NoSuchBucket' }, s, 'PUT d')), 'CT_ERR_STORE');
    assert.equal(code(s3Error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), s, 'PUT d')), 'CT_ERR_STORE');
    assert.equal(code(s3Error({ name: 'EntityTooLarge' }, s, 'PUT d')), 'CT_ERR_STORE_REJECTED');
  });
});

// The s3 object store against a real S3-compatible server (s3rver) on loopback: keys, bytes and content types as
// Qtap stores them, the recorded URLs, and what wrong credentials or a missing bucket look like.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createObjectStore, type ArtifactRecordEvent } from '../../src/sinks/index.ts';
import { memoryLog, transactionArtifact } from '../../src/sinks/test-support.ts';
import { tempDir } from '../helpers/servers.ts';
import { S3_BUCKET, S3_KEY, S3_SECRET, startS3rver, type S3Server } from './storage-servers.ts';

describe('s3 object store (s3rver on 127.0.0.1)', () => {
  const root = tempDir('storage-s3');
  let s3: S3Server;
  before(async () => {
    s3 = await startS3rver(join(root, 's3'));
  });
  after(async () => {
    await s3.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const entry = (overrides: Record<string, unknown> = {}) => ({
    type: 's3',
    endpoint: `127.0.0.1:${s3.port}`,
    bucket: S3_BUCKET,
    region: 'us-east-1',
    insecure: true,
    access_key: { type: 'text', value: S3_KEY },
    secret_key: { type: 'env', value: 'TEST_S3_SECRET' },
    ...overrides,
  });
  const env = { TEST_S3_SECRET: S3_SECRET };

  it('stores each object under its SHA-1 digest with its bytes and content type, and reports its URL', async () => {
    const recorded: ArtifactRecordEvent[] = [];
    const store = createObjectStore(entry({ access_url: 'http://{{ENDPOINT}}/{{BUCKET}}/{{DIGEST}}' }), {
      log: memoryLog().log,
      spoolDir: join(root, 'spool-ok'),
      env,
      onArtifactStored: (r) => void recorded.push(r),
    });
    await store.verify();
    const artifacts = Array.from({ length: 20 }, (_, i) => transactionArtifact(i));
    for (const a of artifacts) store.put(a);
    assert.equal(await store.whenDelivered(10_000), true);
    await store.close();
    assert.equal(store.counters().written, 20);

    const client = new S3Client({ endpoint: `http://127.0.0.1:${s3.port}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: S3_KEY, secretAccessKey: S3_SECRET } });
    for (const a of [artifacts[0], artifacts[19]]) {
      const got = await client.send(new GetObjectCommand({ Bucket: S3_BUCKET, Key: a.digest }));
      assert.equal(got.ContentType, 'application/json');
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), Buffer.from(a.data));
    }
    client.destroy();
    assert.equal(recorded.length, 20);
    assert.deepEqual(
      new Set(recorded.map((r) => r.url)),
      new Set(artifacts.map((a) => `http://127.0.0.1:${s3.port}/${S3_BUCKET}/${a.digest}`)),
    );
    assert.deepEqual(recorded.find((r) => r.digest === artifacts[3].digest)?.meta, { connectionId: 'c-3', requestId: 'tx-3' });
  });

  it('wrong credentials: verify() says so (CT_ERR_STORE_AUTH), delivery keeps retrying, and nothing is lost', async () => {
    const { log, lines } = memoryLog();
    const spoolDir = join(root, 'spool-auth');
    const wrong = createObjectStore(entry({ access_key: { type: 'text', value: 'NOT-A-KEY' } }), { log, spoolDir, env, closeTimeoutMs: 200 });
    await assert.rejects(wrong.verify(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'CT_ERR_STORE_AUTH');
      assert.match(err.message, new RegExp(`bucket ${S3_BUCKET} at 127\\.0\\.0\\.1:${s3.port}: HeadBucket refused the credentials`));
      return true;
    });
    const a = transactionArtifact(100);
    wrong.put(a);
    assert.equal(await wrong.whenDelivered(500), false);
    await wrong.close();
    const c = wrong.counters();
    assert.equal(c.written, 0);
    assert.ok(c.failed_attempts >= 1);
    assert.equal(c.up, 0);
    const warning = lines.find((l) => String(l.msg).includes('store unavailable'));
    assert.equal(warning?.code, 'CT_ERR_STORE_AUTH');
    assert.match(String(warning?.err), /InvalidAccessKeyId/);

    // The record waited in the spool: with the right key it goes out after a restart.
    const fixed = createObjectStore(entry(), { log, spoolDir, env });
    assert.equal(await fixed.whenDelivered(10_000), true);
    await fixed.close();
    assert.equal(fixed.counters().written, 1);
  });

  it('a bucket that does not exist is CT_ERR_STORE naming it', async () => {
    const store = createObjectStore(entry({ bucket: 'no-such-bucket' }), { log: memoryLog().log, spoolDir: join(root, 'spool-nobucket'), env, closeTimeoutMs: 100 });
    await assert.rejects(store.verify(), (err: Error & { code?: string }) => err.code === 'CT_ERR_STORE' && err.message.includes('no-such-bucket') && err.message.includes('does not exist'));
    await store.close();
  });
});

// Objects to an S3-compatible store with the AWS SDK v3 (client: s3-client.ts), keyed by their SHA-1 digest as
// Qtap keys them, with their content type. A PUT of the same key and bytes is harmless, so a replay needs no
// bookkeeping.

import { CleartapError } from '../../core/errors.ts';
import type { SpooledArtifact } from '../record-codecs.ts';
import type { ObjectBackend } from '../spooled-store.ts';
import type { ArtifactRecordEvent } from '../../core/stores.ts';
import { createS3Client, loadS3Sdk } from './s3-client.ts';
import { objectUrl, type S3Settings } from './s3-config.ts';

export interface S3BackendOptions {
  /** Told about each stored object (Qtap submits an ArtifactRecord event for it). */
  onStored?: (record: ArtifactRecordEvent) => void;
  /** Parallel PUTs within a batch. */
  concurrency?: number;
  requestTimeoutMs?: number;
}

export interface S3Backend extends ObjectBackend {
  /** Resolves when the bucket exists and takes our credentials; rejects with CT_ERR_STORE(_AUTH) saying which. */
  verify(): Promise<void>;
}

const AUTH_ERRORS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'CredentialsProviderError', 'Forbidden']);
// Answers that say this object can never be stored, whatever the retry: it is dropped rather than holding the queue.
const REJECTED_ERRORS = new Set(['EntityTooLarge', 'KeyTooLongError', 'InvalidDigest', 'BadDigest']);

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

export function s3Error(err: unknown, s: S3Settings, action: string): CleartapError {
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  // HEAD answers have no body, so the SDK can only name them by status.
  const detail = `${name}${status !== undefined ? ` (HTTP ${status})` : ''}${e.message && e.message !== name && e.message !== 'UnknownError' ? `: ${e.message}` : ''}`;
  if (AUTH_ERRORS.has(name) || status === 401 || status === 403) {
    return new CleartapError(
      'CT_ERR_STORE_AUTH',
      `S3 ${s.where}: ${action} refused the credentials: ${detail}`,
      s.credentials === undefined
        ? 'no access_key/secret_key are configured, so the AWS default chain was used: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or a role that may write to the bucket'
        : 'check access_key and secret_key (and that they may write to the bucket)',
      { cause: err },
    );
  }
  if (name === 'NoSuchBucket' || (name === 'NotFound' && action === 'HeadBucket')) {
    return new CleartapError('CT_ERR_STORE', `S3 ${s.where}: the bucket does not exist`, 'create the bucket, or fix bucket/endpoint/region', { cause: err });
  }
  if (REJECTED_ERRORS.has(name)) return new CleartapError('CT_ERR_STORE_REJECTED', `S3 ${s.where}: ${action}: ${detail}`, undefined, { cause: err });
  return new CleartapError('CT_ERR_STORE', `S3 ${s.where}: ${action} failed: ${detail}${e.code !== undefined && e.code !== name ? ` (${e.code})` : ''}`, 'is the endpoint reachable? (endpoint, insecure)', { cause: err });
}

export function createS3Backend(s: S3Settings, options: S3BackendOptions = {}): S3Backend {
  const sdk = loadS3Sdk();
  const clientReady = createS3Client(s, options.requestTimeoutMs);
  const concurrency = options.concurrency ?? 16;

  const put = async (a: SpooledArtifact) => {
    try {
      const [{ PutObjectCommand }, client] = await Promise.all([sdk, clientReady]);
      await client.send(new PutObjectCommand({ Bucket: s.bucket, Key: a.digest, Body: a.data, ContentType: a.contentType, ContentLength: a.data.byteLength }));
    } catch (err) {
      throw s3Error(err, s, `PUT ${a.digest}`);
    }
    options.onStored?.({
      meta: { connectionId: a.meta.connectionId, requestId: a.meta.requestId, ...(a.meta.endpointId !== undefined && { endpointId: a.meta.endpointId }) },
      timestamp: a.meta.timestamp,
      type: a.type,
      digest: a.digest,
      url: objectUrl(s, a.digest),
    });
  };

  return {
    async write(items) {
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < items.length; i = next++) await put(items[i]);
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
    },
    async verify() {
      try {
        const [{ HeadBucketCommand }, client] = await Promise.all([sdk, clientReady]);
        await client.send(new HeadBucketCommand({ Bucket: s.bucket }));
      } catch (err) {
        throw s3Error(err, s, 'HeadBucket');
      }
    },
    async close() {
      (await clientReady).destroy();
    },
  };
}

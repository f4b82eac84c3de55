// One S3 client per configured bucket, made the same way for writing objects (s3-backend.ts) and for signing
// URLs to read them (s3-presign.ts). The SDK (~0.1 s to load) is imported when a client is first needed, not by
// every command that links sinks/.
//
// The SDK's own retries are off (maxAttempts 1): the spool's delivery retries, with backoff, and counts every
// attempt. Checksums are sent only where S3 requires them: the newer SDK default (CRC32 trailers, aws-chunked
// bodies) is refused by GCS's XML API and older MinIO/s3rver releases.
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from './s3-config.ts';

export const loadS3Sdk = () => import('@aws-sdk/client-s3');

export async function createS3Client(s: S3Settings, requestTimeoutMs = 30_000): Promise<S3Client> {
  const { S3Client } = await loadS3Sdk();
  return new S3Client({
    region: s.region,
    endpoint: s.endpointUrl,
    forcePathStyle: s.forcePathStyle,
    credentials: s.credentials,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 5000, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
  });
}

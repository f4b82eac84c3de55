// Public surface of the S3-compatible object store (AWS S3, MinIO, GCS through HMAC keys).
export { createS3Backend, s3Error } from './s3-backend.ts';
export type { S3Backend, S3BackendOptions } from './s3-backend.ts';
export { objectUrl, readS3Settings } from './s3-config.ts';
export type { S3Settings } from './s3-config.ts';
export { createObjectUrlSigner } from './s3-presign.ts';
export type { ObjectUrlSigner } from './s3-presign.ts';

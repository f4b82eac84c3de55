// Qtap's `s3` object store entry (qtap-reference.md §1.4):
//   endpoint     host[:port] (or a URL); default s3.amazonaws.com, AWS's own addressing
//   bucket       required
//   region       default us-east-1 (GCS: "auto")
//   insecure     true: plain http to the endpoint
//   access_key, secret_key   ValueSources ({type: text|env, value}); both absent: the AWS SDK's default
//                credential chain (AWS_ACCESS_KEY_ID/..., ~/.aws, web identity, container and instance roles)
//   access_url   template of the URL recorded for each object: {{SCHEME}} {{ENDPOINT}} {{BUCKET}} {{DIGEST}}
// and ours: path_style (default: true for any endpoint other than AWS's, as MinIO and s3rver need).

import { asObject, configError, readBool, readSecret, readString, type ConfigObject } from '../store-config.ts';

export interface S3Settings {
  bucket: string;
  region: string;
  /** The SDK's endpoint override; undefined for AWS S3 itself. */
  endpointUrl: string | undefined;
  /** host[:port] as the recorded object URLs show it. */
  endpointHost: string;
  scheme: 'http' | 'https';
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  accessUrl: string | undefined;
  /** "bucket at endpoint", for messages. */
  where: string;
}

const AWS_ENDPOINT = 's3.amazonaws.com';

export function readS3Settings(raw: unknown, where: string, env: NodeJS.ProcessEnv): S3Settings {
  const cfg: ConfigObject = asObject(raw, where);
  const bucket = readString(cfg, 'bucket', where);
  if (bucket === undefined) throw configError(where, 'bucket is required', 'name the bucket the objects go to');
  const region = readString(cfg, 'region', where) ?? 'us-east-1';
  const insecure = readBool(cfg, 'insecure', where) ?? false;
  const endpoint = readString(cfg, 'endpoint', where) ?? AWS_ENDPOINT;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `${insecure ? 'http' : 'https'}://${endpoint}`);
  } catch {
    throw configError(where, `endpoint "${endpoint}" is not host[:port] or a URL`);
  }
  const scheme = url.protocol === 'http:' ? 'http' : 'https';
  const isAws = url.hostname === AWS_ENDPOINT || url.hostname.endsWith('.amazonaws.com');
  const accessKey = readSecret(cfg, 'access_key', where, env);
  const secretKey = readSecret(cfg, 'secret_key', where, env);
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    throw configError(where, `${accessKey === undefined ? 'access_key' : 'secret_key'} is missing`, 'give both keys, or neither to use the AWS default credential chain');
  }
  return {
    bucket,
    region,
    endpointUrl: endpoint === AWS_ENDPOINT && !insecure ? undefined : url.origin,
    endpointHost: url.host,
    scheme,
    forcePathStyle: readBool(cfg, 'path_style', where) ?? !isAws,
    credentials: accessKey !== undefined && secretKey !== undefined ? { accessKeyId: accessKey, secretAccessKey: secretKey } : undefined,
    accessUrl: readString(cfg, 'access_url', where),
    where: `bucket ${bucket} at ${url.host}`,
  };
}

/** The URL recorded for an object: access_url with its placeholders filled, else scheme://endpoint/bucket/digest. */
export function objectUrl(s: S3Settings, digest: string): string {
  const values: Record<string, string> = { SCHEME: s.scheme, ENDPOINT: s.endpointHost, BUCKET: s.bucket, DIGEST: digest };
  if (s.accessUrl === undefined) return `${s.scheme}://${s.endpointHost}/${s.bucket}/${digest}`;
  return s.accessUrl.replace(/\{\{(SCHEME|ENDPOINT|BUCKET|DIGEST)\}\}/g, (_, key: string) => values[key]);
}

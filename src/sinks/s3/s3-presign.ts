// Short-lived GET URLs for objects in the S3-compatible stores a server knows (presigned with SigV4, by
// @aws-sdk/s3-request-presigner): a browser fetches the object from the store itself, and the server never
// handles the bytes. An artifact record names its object by the URL the agent's store recorded for it
// (objectUrl: the endpoint, bucket and digest, or the entry's access_url); the bucket whose objectUrl for that
// digest is the same URL is the one that holds it. Signing is local (no request to the store).
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client, loadS3Sdk } from './s3-client.ts';
import { objectUrl, type S3Settings } from './s3-config.ts';

export interface ObjectUrlSigner {
  /** A GET URL valid for expiresInSeconds, or undefined when no known bucket holds the object at recordedUrl. */
  sign(recordedUrl: string, digest: string): Promise<string | undefined>;
  readonly expiresInSeconds: number;
  close(): void;
}

const DIGEST = /^[0-9a-f]{40}$/;

export function createObjectUrlSigner(stores: readonly S3Settings[], expiresInSeconds = 300): ObjectUrlSigner {
  const clients = new Map<S3Settings, Promise<S3Client>>();
  const clientOf = (s: S3Settings) => {
    let c = clients.get(s);
    if (c === undefined) clients.set(s, (c = createS3Client(s)));
    return c;
  };
  return {
    expiresInSeconds,
    async sign(recordedUrl, digest) {
      if (!DIGEST.test(digest)) return undefined;
      const store = stores.find((s) => objectUrl(s, digest) === recordedUrl);
      if (store === undefined) return undefined;
      const [{ GetObjectCommand }, { getSignedUrl }, client] = await Promise.all([loadS3Sdk(), import('@aws-sdk/s3-request-presigner'), clientOf(store)]);
      return getSignedUrl(client, new GetObjectCommand({ Bucket: store.bucket, Key: digest }), { expiresIn: expiresInSeconds });
    },
    close() {
      for (const c of clients.values()) void c.then((client) => client.destroy());
      clients.clear();
    },
  };
}

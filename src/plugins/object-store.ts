// Object stores keep the large, sensitive payloads ("artifacts", qtap-reference.md §3.4): http_capture records,
// recorded headers and bodies. Backends (stdout now; local, S3 later) implement ObjectStore.

import { createHash } from 'node:crypto';

export type ArtifactType =
  | 'http_transaction'
  | 'req-headers'
  | 'req-body'
  | 'res-headers'
  | 'res-body'
  | 'dlp_matches'
  | 'sensitive_data';

/** Identifies the transaction an artifact belongs to (Qtap's meta fields, camelCase). */
export interface ArtifactMeta {
  connectionId: string;
  requestId: string;
  /** Qtap's endpoint id; cleartap has none yet, so it is never set. */
  endpointId?: string;
  url: string;
  /** RFC3339 time of the transaction. */
  timestamp: string;
}

export interface Artifact {
  readonly type: ArtifactType;
  readonly data: Uint8Array;
  readonly contentType: string;
  /** SHA-1 of data, lowercase hex (Qtap's artifact digest). */
  readonly digest: string;
  readonly meta: ArtifactMeta;
}

export interface ObjectStore {
  /** Takes the artifact and returns at once; the store writes it out asynchronously. Never throws. */
  put(artifact: Artifact): void;
  /** Resolves once everything put so far has been written. */
  flush(): Promise<void>;
  /** flush(), then release the store's resources; put() after close drops (and counts). */
  close(): Promise<void>;
}

// The digest is computed on first read: the stdout store never reads it, so printing records costs no hashing.
class HashedArtifact implements Artifact {
  readonly type: ArtifactType;
  readonly data: Uint8Array;
  readonly contentType: string;
  readonly meta: ArtifactMeta;
  #digest: string | undefined;

  constructor(type: ArtifactType, data: Uint8Array, contentType: string, meta: ArtifactMeta) {
    this.type = type;
    this.data = data;
    this.contentType = contentType;
    this.meta = meta;
  }

  get digest(): string {
    this.#digest ??= createHash('sha1').update(this.data).digest('hex');
    return this.#digest;
  }
}

export function createArtifact(type: ArtifactType, data: Uint8Array, contentType: string, meta: ArtifactMeta): Artifact {
  return new HashedArtifact(type, data, contentType, meta);
}

// Object stores keep the large, sensitive payloads ("artifacts", qtap-reference.md §3.4): http_capture records,
// recorded headers and bodies. Backends (stdout now; local, S3 later) implement ObjectStore.

import { createHash } from 'node:crypto';
import type { Artifact, ArtifactMeta, ArtifactType } from '../core/stores.ts';

export type { Artifact, ArtifactMeta, ArtifactType, ObjectStore } from '../core/stores.ts';

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

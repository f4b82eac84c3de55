// A transaction's objects that live in an S3-compatible store (an agent with an s3 object store: the hybrid and
// self-hosted modes): the store has no copy, only the artifact_record events that name each one (type, digest,
// the URL the agent recorded). The detail lists them with a presigned GET URL, so the browser fetches the object
// from its store and the server never handles the payload. Callers who may not see payloads get no URL (the URL
// would hand them the unredacted bytes); neither do objects in a bucket the server was not given.
import type { ObjectUrlSigner, StoredObject } from '../../sinks/index.ts';
import type { ArtifactView } from './transaction-detail.ts';

interface RecordFields {
  type: string;
  digest: string;
  url: string;
}

function recordOf(item: unknown): RecordFields | undefined {
  const r = item as Partial<RecordFields> | null;
  return typeof r?.type === 'string' && typeof r.digest === 'string' && typeof r.url === 'string' ? { type: r.type, digest: r.digest, url: r.url } : undefined;
}

export async function remoteArtifacts(
  stored: { events: ReadonlyArray<{ type: string; item: unknown }>; objects: readonly StoredObject[] },
  signer: ObjectUrlSigner | undefined,
  redact: boolean,
): Promise<ArtifactView[]> {
  const seen = new Set(stored.objects.map((o) => `${o.type} ${o.digest}`));
  const out: ArtifactView[] = [];
  for (const e of stored.events) {
    const r = e.type === 'artifact_record' ? recordOf(e.item) : undefined;
    if (r === undefined || seen.has(`${r.type} ${r.digest}`)) continue;
    seen.add(`${r.type} ${r.digest}`);
    const url = redact || signer === undefined ? null : ((await signer.sign(r.url, r.digest)) ?? null);
    out.push({ type: r.type, digest: r.digest, contentType: null, size: null, available: url !== null, content: null, url });
  }
  return out;
}

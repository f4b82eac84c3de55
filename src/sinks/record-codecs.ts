// How artifacts and events are written into a spool record and read back for delivery. An artifact record is
//   u32 header length | header JSON {type, contentType, meta} | data
// so the payload bytes are copied once and never base64'd. The digest is computed at delivery, off the capture
// path (the stdout store never needs it, the others all do).

import { createHash } from 'node:crypto';
import { CleartapError } from '../core/errors.ts';
import type { Artifact, ArtifactMeta, ArtifactType, StoreEvent } from '../core/stores.ts';

/** An artifact as a store backend receives it from the spool. */
export interface SpooledArtifact {
  /** The spool record's id: unique, stable across restarts. */
  id: string;
  type: ArtifactType;
  contentType: string;
  meta: ArtifactMeta;
  data: Uint8Array;
  digest: string;
}

/** The agent an event came from, when a gateway (`cleartap serve`) received it rather than the agent itself. */
export interface EventSource {
  agentId: string;
  agentName: string;
}

export interface SpooledEvent {
  id: string;
  event: StoreEvent;
  /** Set by the gateway; absent for an agent's own events. */
  source?: EventSource;
}

export function encodeArtifact(artifact: Artifact): Uint8Array {
  const header = Buffer.from(JSON.stringify({ type: artifact.type, contentType: artifact.contentType, meta: artifact.meta }));
  const out = Buffer.allocUnsafe(4 + header.length + artifact.data.byteLength);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  out.set(artifact.data, 4 + header.length);
  return out;
}

export function decodeArtifact(id: string, payload: Uint8Array): SpooledArtifact {
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  try {
    const headerLength = buf.readUInt32LE(0);
    const header = JSON.parse(buf.toString('utf8', 4, 4 + headerLength)) as Pick<SpooledArtifact, 'type' | 'contentType' | 'meta'>;
    const data = buf.subarray(4 + headerLength);
    return { id, ...header, data, digest: createHash('sha1').update(data).digest('hex') };
  } catch (err) {
    throw new CleartapError('CT_ERR_STORE_REJECTED', `spool record ${id} is not an artifact: ${(err as Error).message}`, undefined, { cause: err });
  }
}

export function encodeEvent(event: StoreEvent): Uint8Array {
  return Buffer.from(JSON.stringify(event));
}

export function decodeEvent(id: string, payload: Uint8Array): SpooledEvent {
  try {
    return { id, event: JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8')) as StoreEvent };
  } catch (err) {
    throw new CleartapError('CT_ERR_STORE_REJECTED', `spool record ${id} is not an event: ${(err as Error).message}`, undefined, { cause: err });
  }
}

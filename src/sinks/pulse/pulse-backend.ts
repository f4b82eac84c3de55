// Events to a `cleartap serve` gateway: each delivered batch is one gzipped JSON POST (core/ingest-wire.ts) with
// the agent token. The spool in front (spooled-store.ts) holds the events while the server is down and retries
// with backoff; this backend only says which failures are worth retrying:
//   network errors, 5xx, 429          CT_ERR_STORE (retried)
//   401, 403                          CT_ERR_STORE_AUTH (retried: the token may be re-issued)
//   400, 413                          CT_ERR_STORE_REJECTED: delivery retries the events one by one, and drops
//                                     (and counts) one the server still refuses
// Events the server accepts the batch but refuses (rejected) and fields it strips are counted here by name.
//
// node:http(s) rather than fetch: allow_insecure needs a TLS agent that accepts a self-signed certificate.
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { CleartapError, errorCode } from '../../core/errors.ts';
import type { IngestBatch, IngestResult } from '../../core/ingest-wire.ts';
import type { SpooledEvent } from '../record-codecs.ts';
import type { EventBackend } from '../spooled-store.ts';
import type { PulseSettings } from './pulse-config.ts';

const gzipAsync = promisify(gzip);

export interface PulseCounters {
  /** Events the server refused whole (an unknown type, or missing what every event of its type has). */
  rejected_by_server: number;
  /** Fields the server stripped from accepted events (not on its allow-list). */
  fields_dropped_by_server: number;
  /** Batches the server had already taken (a retry after a lost answer). */
  duplicate_batches: number;
}

export interface PulseBackend extends EventBackend {
  /** Posts an empty batch: the server answers and takes the token; rejects with CT_ERR_STORE(_AUTH). */
  verify(): Promise<void>;
  counters(): PulseCounters;
}

interface Answer {
  status: number;
  body: string;
}

/** The same records always give the same id. */
export function batchIdOf(items: readonly SpooledEvent[]): string {
  const hash = createHash('sha256');
  for (const item of items) hash.update(item.id).update('\n');
  return hash.digest('hex').slice(0, 32);
}

export function createPulseBackend(s: PulseSettings, options: { requestTimeoutMs?: number } = {}): PulseBackend {
  const https = s.ingestUrl.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true, rejectUnauthorized: !s.allowInsecure }) : new HttpAgent({ keepAlive: true });
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const counters: PulseCounters = { rejected_by_server: 0, fields_dropped_by_server: 0, duplicate_batches: 0 };

  const post = (body: Buffer): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(s.ingestUrl, {
        method: 'POST',
        agent,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length, authorization: `Bearer ${s.token}` },
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.end(body);
    });

  const send = async (batch: IngestBatch): Promise<IngestResult> => {
    let answer: Answer;
    try {
      answer = await post(await gzipAsync(JSON.stringify(batch)));
    } catch (err) {
      const code = errorCode(err);
      throw new CleartapError('CT_ERR_STORE', `pulse ${s.where}: POST failed: ${(err as Error).message}${code !== undefined ? ` (${code})` : ''}`, 'is `cleartap serve` up at url? (allow_insecure for http or a self-signed certificate)', { cause: err });
    }
    const said = () => {
      try {
        return (JSON.parse(answer.body) as { error?: { code?: string; message?: string } }).error?.message ?? answer.body.slice(0, 200);
      } catch {
        return answer.body.slice(0, 200);
      }
    };
    if (answer.status === 200) return JSON.parse(answer.body) as IngestResult;
    if (answer.status === 401 || answer.status === 403) {
      throw new CleartapError('CT_ERR_STORE_AUTH', `pulse ${s.where}: the server refused the agent token (HTTP ${answer.status}): ${said()}`, 'register the agent again (POST /api/v1/agents/register) and set token');
    }
    if (answer.status === 400 || answer.status === 413) throw new CleartapError('CT_ERR_STORE_REJECTED', `pulse ${s.where}: the server refused the batch (HTTP ${answer.status}): ${said()}`);
    throw new CleartapError('CT_ERR_STORE', `pulse ${s.where}: HTTP ${answer.status}: ${said()}`);
  };

  return {
    async write(items, maybeDelivered) {
      const result = await send({ batchId: batchIdOf(items), retry: maybeDelivered, events: items.map(({ id, event }) => ({ id, type: event.type, item: event.item })) });
      counters.rejected_by_server += result.rejected;
      counters.fields_dropped_by_server += result.droppedFields;
      if (result.duplicate) counters.duplicate_batches++;
    },
    async verify() {
      await send({ batchId: 'verify', retry: false, events: [] });
    },
    counters: () => ({ ...counters }),
    async close() {
      agent.destroy();
    },
  };
}

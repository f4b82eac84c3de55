// Helpers for the store tests: a logger that keeps its lines, temporary directories removed after the test,
// and artifacts and events shaped as the plugins make them.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Logger } from '../core/logger.ts';
import type { Artifact, RequestEvent, StoreEvent } from '../core/stores.ts';

export function memoryLog(level = 'debug'): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level, base: null, timestamp: false }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
}

/** A fresh directory; pass the test context to have it removed when the test ends. */
export function tempDir(t: { after: (fn: () => void) => void }, prefix = 'cleartap-sinks-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The http_transaction record http_capture would put for transaction n (a Qtap JSON record). */
export function transactionArtifact(n: number, overrides: { host?: string; status?: number; exe?: string; time?: string } = {}): Artifact {
  const host = overrides.host ?? 'api.example.com';
  const time = overrides.time ?? new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
  const record = {
    metadata: { process_id: String(1000 + n), process_exe: overrides.exe ?? '/usr/bin/curl', bytes_sent: 80 + n, bytes_received: 500, request_id: `tx-${n}`, connection_id: `c-${n}` },
    request: { method: 'GET', url: `https://${host}/v1/items/${n}`, scheme: 'https', path: `/v1/items/${n}`, authority: host, protocol: 'http1' },
    response: { status: overrides.status ?? 200, content_type: 'application/json' },
    transaction_time: time,
    duration_ms: 12,
    direction: 'egress-external',
  };
  const data = Buffer.from(JSON.stringify(record));
  return {
    type: 'http_transaction',
    data,
    contentType: 'application/json',
    digest: createHash('sha1').update(data).digest('hex'),
    meta: { connectionId: `c-${n}`, requestId: `tx-${n}`, url: record.request.url, timestamp: time },
  };
}

/** The Request event report_usage would submit for transaction n. */
export function requestEvent(n: number, overrides: Partial<RequestEvent> & { host?: string } = {}): StoreEvent {
  const { host = 'api.example.com', ...rest } = overrides;
  return {
    type: 'request',
    item: {
      connectionId: `c-${n}`,
      requestId: `tx-${n}`,
      tags: ['env:test'],
      timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
      direction: 'egress-external',
      url: `https://${host}/v1/items/${n}`,
      path: `/v1/items/${n}`,
      method: 'GET',
      status: 200,
      duration: 12,
      contentType: 'application/json',
      category: 'app',
      agent: 'curl/7.88.1',
      bytesSent: 80 + n,
      bytesReceived: 500,
      ...rest,
    },
  };
}

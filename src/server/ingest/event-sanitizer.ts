// What an event from an agent may carry into the server's store: an allow-list per event type (the fields of
// core/stores.ts, Qtap's event records), each with its type. Events are metadata; whatever else a batch brings —
// headers, bodies, cookies, an Authorization value, fields this server does not know — is dropped and counted,
// as is a known field of the wrong type. Query-string values are removed from URLs (keys kept): a URL's query
// is where API keys and tokens end up, and events are the anonymized side of the object/event split. An event
// without a usable time, or of a type the server does not know, is refused whole.
import type { ArtifactType, StoreEvent } from '../../sinks/index.ts';

type Kind = 'string' | 'integer' | 'number' | 'strings' | 'url' | 'meta' | readonly string[];

const DIRECTIONS = ['ingress', 'egress', 'egress-internal', 'egress-external'] as const;
const ARTIFACT_TYPES: readonly ArtifactType[] = ['http_transaction', 'req-headers', 'req-body', 'res-headers', 'res-body', 'dlp_matches', 'sensitive_data'];
const MAX_STRING = 8192;
const MAX_LIST = 256;

const ALLOWED: Readonly<Record<StoreEvent['type'], Readonly<Record<string, Kind>>>> = {
  request: {
    connectionId: 'string', endpointId: 'string', requestId: 'string', tags: 'strings', timestamp: 'string', direction: DIRECTIONS,
    url: 'url', path: 'string', method: 'string', status: 'integer', duration: 'number', contentType: 'string', category: 'string',
    agent: 'string', bytesSent: 'integer', bytesReceived: 'integer',
    // The token's mask (first and last characters), hash and kind, never the token: report_usage's fields.
    authTokenMask: 'string', authTokenHash: 'string', authTokenSource: 'string', authTokenType: 'string',
  },
  issue: {
    meta: 'meta', tags: 'strings', timestamp: 'string', direction: DIRECTIONS, error: 'string', url: 'url', path: 'string',
    method: 'string', status: 'integer', triggerConditions: 'strings', triggerReasons: 'strings',
  },
  artifact_record: { meta: 'meta', timestamp: 'string', type: ARTIFACT_TYPES, digest: 'string', url: 'string' },
  dns: {
    timestamp: 'string', name: 'string', type: 'string', rcode: 'string', answers: 'strings', durationMs: 'number', server: 'string',
    processId: 'string', processExe: 'string',
  },
};

/** What each type needs to be stored at all (its keys: eventKeys in sinks/event-fields.ts, and its direction). */
const REQUIRED: Readonly<Record<StoreEvent['type'], readonly string[]>> = {
  request: ['connectionId', 'timestamp', 'direction', 'url', 'method'],
  issue: ['meta', 'timestamp', 'direction'],
  artifact_record: ['meta', 'timestamp', 'type', 'digest', 'url'],
  dns: ['timestamp', 'name'],
};

/** The other fields every event of its type has (core/stores.ts), filled when dropped or absent. */
const DEFAULTS: Readonly<Record<StoreEvent['type'], Readonly<Record<string, unknown>>>> = {
  request: { tags: [], path: '', status: 0, duration: 0, contentType: '', category: '', agent: '', bytesSent: 0, bytesReceived: 0 },
  issue: { tags: [], error: '', url: '', path: '', method: '', status: 0, triggerConditions: [], triggerReasons: [] },
  artifact_record: {},
  dns: { type: '', answers: [] },
};

const META: Readonly<Record<string, Kind>> = { connectionId: 'string', requestId: 'string', endpointId: 'string' };

export type Sanitized = { ok: true; event: StoreEvent; droppedFields: number } | { ok: false; reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The URL without query-string values (`?key=&other=`), fragment dropped; undefined when it is not a URL. */
export function withoutQueryValues(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const keys = [...u.searchParams.keys()];
  u.hash = '';
  u.search = '';
  return keys.length === 0 ? u.href : `${u.href}?${keys.map((k) => `${encodeURIComponent(k)}=`).join('&')}`;
}

// The value as the field's kind allows it, or undefined (dropped).
function accept(kind: Kind, v: unknown): unknown {
  if (Array.isArray(kind)) return typeof v === 'string' && kind.includes(v) ? v : undefined;
  switch (kind) {
    case 'string':
      return typeof v === 'string' && v.length <= MAX_STRING ? v : undefined;
    case 'url':
      return typeof v === 'string' && v.length <= MAX_STRING ? withoutQueryValues(v) : undefined;
    case 'integer':
      return Number.isSafeInteger(v) && (v as number) >= 0 ? v : undefined;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
    case 'strings':
      return Array.isArray(v) && v.length <= MAX_LIST && v.every((s) => typeof s === 'string' && s.length <= MAX_STRING) ? v : undefined;
    case 'meta':
      return isRecord(v) ? v : undefined;
  }
  return undefined;
}

function pick(input: Record<string, unknown>, allowed: Readonly<Record<string, Kind>>): { out: Record<string, unknown>; dropped: number } {
  const out: Record<string, unknown> = {};
  let dropped = 0;
  for (const [key, value] of Object.entries(input)) {
    const kind = Object.hasOwn(allowed, key) ? allowed[key] : undefined;
    let kept = kind === undefined ? undefined : accept(kind, value);
    if (kind === 'meta' && kept !== undefined) {
      const inner = pick(kept as Record<string, unknown>, META);
      kept = inner.out;
      dropped += inner.dropped;
    }
    if (kept === undefined) dropped++;
    else out[key] = kept;
  }
  return { out, dropped };
}

export function sanitizeEvent(type: string, item: unknown): Sanitized {
  if (!Object.hasOwn(ALLOWED, type)) return { ok: false, reason: `unknown event type "${type}"` };
  if (!isRecord(item)) return { ok: false, reason: 'the item is not an object' };
  const t = type as StoreEvent['type'];
  const { out, dropped } = pick(item, ALLOWED[t]);
  const missing = REQUIRED[t].filter((k) => out[k] === undefined);
  if (missing.length > 0) return { ok: false, reason: `${t} event without ${missing.join(', ')}` };
  if (!Number.isFinite(Date.parse(out.timestamp as string))) return { ok: false, reason: `timestamp "${String(out.timestamp)}" is not a time` };
  for (const [key, value] of Object.entries(DEFAULTS[t])) out[key] ??= value;
  if ((t === 'issue' || t === 'artifact_record') && typeof (out.meta as Record<string, unknown>).connectionId !== 'string') return { ok: false, reason: `${t} event without meta.connectionId` };
  return { ok: true, event: { type: t, item: out } as unknown as StoreEvent, droppedFields: dropped };
}

// Transaction -> Qtap http_capture HttpTransaction (`format: json`, qtap-reference.md §3.1), so consumers of
// Qtap's records keep working unchanged. Qtap's keys are kept exactly; what cleartap knows beyond them goes into
// one top-level "cleartap" object, which Qtap consumers ignore. Empty values are omitted, as Qtap does.
//
// | record key                          | from Transaction                                   | level    |
// |-------------------------------------|----------------------------------------------------|----------|
// | metadata.process_id                 | String(process.pid)                                | summary  |
// | metadata.process_exe                | process.exe                                        | summary  |
// | metadata.bytes_sent / _received     | bytesSent / bytesReceived                          | summary  |
// | metadata.request_id                 | id                                                 | summary  |
// | metadata.connection_id              | connectionId                                       | summary  |
// | metadata.container_name/_image,     | process.container (the runtime's name and image,   | summary  |
// |   pod_name/_namespace               |   and the Kubernetes pod), when resolved           |          |
// | request.method / url / path         | request.method / url / path                        | summary  |
// | request.scheme                      | scheme                                             | summary  |
// | request.authority                   | host[:port] part of request.url (Host header)      | summary  |
// | request.protocol                    | protocol ('http1')                                 | summary  |
// | request.user_agent / content_type   | first User-Agent / Content-Type request header     | summary  |
// | request.headers                     | :method :path :scheme :authority + request.headers | details  |
// | request.body                        | request.body, base64 (the captured prefix)         | full     |
// | response.status                     | response.status; 422 (Qtap's "unknown") if none   | summary  |
// | response.content_type               | first Content-Type response header                 | summary  |
// | response.headers                    | :status + response.headers                         | details  |
// | response.body                       | response.body, base64                              | full     |
// | transaction_time                    | startTime as RFC3339 UTC                           | summary  |
// | duration_ms                         | durationMs truncated, at least 1                   | summary  |
// | direction                           | ingress | egress-internal | egress-external (ip.ts) | summary  |
// | cleartap.local / remote             | local / remote as "addr:port" ([v6]:port)          | summary  |
// | cleartap.tls_library                | tlsLibrary                                         | summary  |
// | cleartap.tls_sni                    | tls.sni (the ClientHello's server name)            | summary  |
// | cleartap.dns_name                   | dnsName (what DNS called the remote address)       | summary  |
// | cleartap.grpc / stream_reset        | grpc (service, method, status) / streamReset       | summary  |
// | cleartap.uid / user / cmdline       | process.uid / user / cmdline                       | summary  |
// | cleartap.cgroup / container_id      | process.cgroupPath / containerId                   | summary  |
// | cleartap.http_version               | request.version ("HTTP/1.1")                       | summary  |
// | cleartap.response_reason            | response.reason                                    | summary  |
// | cleartap.request_body_size / resp.. | request.bodySize / response.bodySize (decoded)     | summary  |
// | cleartap.request_body_truncated /.. | request.bodyTruncated / response.bodyTruncated     | full     |
// | cleartap.no_response                | true when response is absent                       | summary  |
// | cleartap.upgraded / gap_bytes       | upgraded / gapBytes                                | summary  |
// | cleartap.incomplete                 | incomplete (a message ended before its framing)    | summary  |
// | cleartap.request_trailers / resp..  | request.trailers / response.trailers (as headers)  | details  |
//
// Headers: names keep their first wire spelling; repeated names (case-insensitive) are joined with ", ". The
// pseudo-headers come first, because Qtap's records carry them for HTTP/1 too.

import { Buffer } from 'node:buffer';
import { qtapDirection } from '../../core/ip.ts';
import type { HttpRequestRecord, HttpResponseRecord, Transaction } from '../../core/transaction.ts';
import { type CaptureLevelInput, levelIncludes, normalizeLevel } from './level.ts';
import {
  authorityOf,
  durationMs,
  firstHeader,
  formatEndpoint,
  headerObject,
  transactionTime,
} from './transaction-fields.ts';

/** Qtap's status for a response that was never seen. */
export const UNKNOWN_STATUS = 422;

export interface QtapMetadata {
  process_id?: string;
  process_exe?: string;
  container_name?: string;
  container_image?: string;
  pod_name?: string;
  pod_namespace?: string;
  bytes_sent?: number;
  bytes_received?: number;
  request_id?: string;
  connection_id?: string;
}

export interface QtapRequest {
  method: string;
  url: string;
  scheme?: string;
  path?: string;
  authority?: string;
  protocol?: string;
  user_agent?: string;
  content_type?: string;
  headers?: Record<string, string>;
  /** base64 */
  body?: string;
}

export interface QtapResponse {
  status: number;
  content_type?: string;
  headers?: Record<string, string>;
  /** base64 */
  body?: string;
}

/** cleartap's additions; Qtap consumers ignore the whole object. */
export interface CleartapExtension {
  local?: string;
  remote?: string;
  tls_library?: string;
  /** gRPC calls: service, method, status and message counts. */
  grpc?: { service: string; method: string; status?: number; status_name?: string; message?: string; request_messages: number; response_messages: number };
  /** HTTP/2: "CANCEL by the client" when the stream was reset. */
  stream_reset?: string;
  /** The name DNS gave the remote address (egress), when this host looked it up. */
  dns_name?: string;
  tls_sni?: string;
  uid?: number;
  user?: string;
  cmdline?: string[];
  cgroup?: string;
  pod_uid?: string;
  pod_qos?: string;
  container_id?: string;
  http_version?: string;
  response_reason?: string;
  request_body_size?: number;
  response_body_size?: number;
  request_body_truncated?: true;
  response_body_truncated?: true;
  request_trailers?: Record<string, string>;
  response_trailers?: Record<string, string>;
  no_response?: true;
  upgraded?: true;
  gap_bytes?: number;
  incomplete?: true;
}

export interface QtapHttpTransaction {
  metadata: QtapMetadata;
  request: QtapRequest;
  response: QtapResponse;
  transaction_time?: string;
  duration_ms?: number;
  direction: string;
  cleartap?: CleartapExtension;
}

/** The record for `tx` at `level`, or null at level none (nothing is written). */
export function toQtapRecord(tx: Transaction, levelInput: CaptureLevelInput): QtapHttpTransaction | null {
  const level = normalizeLevel(levelInput);
  if (level === 'none') return null;
  const details = levelIncludes(level, 'details');
  const full = level === 'full';

  const time = transactionTime(tx);
  const duration = durationMs(tx);
  const record: QtapHttpTransaction = {
    metadata: metadataOf(tx),
    request: requestOf(tx, details, full),
    response: responseOf(tx.response, details, full),
    ...(time !== undefined && { transaction_time: time }),
    ...(duration !== undefined && { duration_ms: duration }),
    direction: qtapDirection(tx.direction, tx.remote?.address),
  };
  const ext = extensionOf(tx, details, full);
  if (ext !== undefined) record.cleartap = ext;
  return record;
}

function metadataOf(tx: Transaction): QtapMetadata {
  const m: QtapMetadata = {};
  if (tx.process !== undefined) {
    m.process_id = String(tx.process.pid);
    if (tx.process.exe !== '') m.process_exe = tx.process.exe;
    const c = tx.process.container;
    if (c?.name !== undefined) m.container_name = c.name;
    if (c?.image !== undefined) m.container_image = c.image;
    if (c?.pod?.name !== undefined) m.pod_name = c.pod.name;
    if (c?.pod?.namespace !== undefined) m.pod_namespace = c.pod.namespace;
  }
  if (tx.bytesSent > 0) m.bytes_sent = tx.bytesSent;
  if (tx.bytesReceived > 0) m.bytes_received = tx.bytesReceived;
  if (tx.id !== '') m.request_id = tx.id;
  if (tx.connectionId !== '') m.connection_id = tx.connectionId;
  return m;
}

function requestOf(tx: Transaction, details: boolean, full: boolean): QtapRequest {
  const req = tx.request;
  const authority = authorityOf(req.url);
  const r: QtapRequest = { method: req.method, url: req.url, scheme: tx.scheme };
  if (req.path !== '') r.path = req.path;
  if (authority !== '') r.authority = authority;
  r.protocol = tx.protocol;
  const ua = firstHeader(req.headers, 'user-agent');
  if (ua !== '') r.user_agent = ua;
  const ct = firstHeader(req.headers, 'content-type');
  if (ct !== '') r.content_type = ct;
  if (details) {
    const pseudo: Record<string, string> = { ':method': req.method, ':path': req.target, ':scheme': tx.scheme };
    if (authority !== '') pseudo[':authority'] = authority;
    r.headers = headerObject(req.headers, pseudo);
  }
  if (full && req.body.byteLength > 0) r.body = base64(req.body);
  return r;
}

function responseOf(res: HttpResponseRecord | undefined, details: boolean, full: boolean): QtapResponse {
  if (res === undefined) return { status: UNKNOWN_STATUS };
  const r: QtapResponse = { status: res.status };
  const ct = firstHeader(res.headers, 'content-type');
  if (ct !== '') r.content_type = ct;
  if (details) {
    r.headers = headerObject(res.headers, { ':status': String(res.status) });
  }
  if (full && res.body.byteLength > 0) r.body = base64(res.body);
  return r;
}

function extensionOf(tx: Transaction, details: boolean, full: boolean): CleartapExtension | undefined {
  const e: CleartapExtension = {};
  const local = formatEndpoint(tx.local);
  if (local !== '') e.local = local;
  const remote = formatEndpoint(tx.remote);
  if (remote !== '') e.remote = remote;
  if (tx.tlsLibrary !== undefined) e.tls_library = tx.tlsLibrary;
  if (tx.tls?.sni !== undefined) e.tls_sni = tx.tls.sni;
  if (tx.dnsName !== undefined) e.dns_name = tx.dnsName;
  if (tx.grpc !== undefined) {
    const g = tx.grpc;
    e.grpc = { service: g.service, method: g.method, request_messages: g.requestMessages, response_messages: g.responseMessages };
    if (g.status !== undefined) e.grpc.status = g.status;
    if (g.statusName !== undefined) e.grpc.status_name = g.statusName;
    if (g.message !== undefined) e.grpc.message = g.message;
  }
  if (tx.streamReset !== undefined) e.stream_reset = `${tx.streamReset.error} by the ${tx.streamReset.by}`;
  const p = tx.process;
  if (p !== undefined) {
    e.uid = p.uid; // uid 0 is meaningful (root): kept whenever the process is known
    if (p.user !== '') e.user = p.user;
    if (p.cmdline.length > 0) e.cmdline = p.cmdline;
    if (p.cgroupPath !== '') e.cgroup = p.cgroupPath;
    if (p.containerId !== undefined && p.containerId !== '') e.container_id = p.containerId;
    if (p.podUid !== undefined) e.pod_uid = p.podUid;
    if (p.podQos !== undefined) e.pod_qos = p.podQos;
  }
  if (tx.request.version !== '') e.http_version = tx.request.version;
  const res = tx.response;
  if (res !== undefined && res.reason !== '') e.response_reason = res.reason;
  bodyFacts(e, 'request', tx.request, full);
  if (res !== undefined) bodyFacts(e, 'response', res, full);
  if (details) {
    if (tx.request.trailers !== undefined && tx.request.trailers.length > 0) {
      e.request_trailers = headerObject(tx.request.trailers);
    }
    if (res?.trailers !== undefined && res.trailers.length > 0) e.response_trailers = headerObject(res.trailers);
  }
  if (res === undefined) e.no_response = true;
  if (tx.upgraded === true) e.upgraded = true;
  if (tx.gapBytes !== undefined && tx.gapBytes > 0) e.gap_bytes = tx.gapBytes;
  if (tx.incomplete === true) e.incomplete = true;
  for (const _ in e) return e;
  return undefined;
}

/** Sizes always; "truncated" only where bodies are shown (below full, no body is, by choice). */
function bodyFacts(
  e: CleartapExtension,
  side: 'request' | 'response',
  msg: HttpRequestRecord | HttpResponseRecord,
  full: boolean,
): void {
  if (msg.bodySize > 0) e[`${side}_body_size`] = msg.bodySize;
  if (full && msg.bodyTruncated) e[`${side}_body_truncated`] = true;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

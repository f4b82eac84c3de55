// access_logs `format: json`: one object per line, no logger level or time keys. The keys mirror Qtap's summary
// map (qtap-reference.md §3.1) and add the URL, path and time, which a log line without would be of little use:
//
// | key                            | value                                                    | mode     |
// |--------------------------------|----------------------------------------------------------|----------|
// | transaction_time               | RFC3339 UTC time of the request (cleartap addition)      | summary  |
// | duration_ms                    | whole ms, at least 1                                     | summary  |
// | direction                      | ingress | egress-internal | egress-external              | summary  |
// | process_exe                    | executable path                                          | summary  |
// | request_id, connection_id      | cleartap's ids                                           | summary  |
// | request_method                 | GET, POST, ...                                           | summary  |
// | request_scheme                 | http | https                                             | summary  |
// | request_host                   | host[:port] (the :authority)                             | summary  |
// | request_url, request_path      | absolute URL, path without query (cleartap additions)    | summary  |
// | request_protocol               | http1                                                    | summary  |
// | request_content_type           | request Content-Type                                     | summary  |
// | response_status                | status code (absent without a response)                  | summary  |
// | response_content_type          | response Content-Type                                    | summary  |
// | request_headers, response_headers | {name: value}, repeats joined with ", "               | details  |
// | request_body, response_body    | base64 of the captured body                              | full     |
//
// Keys with no value are left out, as in Qtap's records (container_name, container_image, pod_name and
// pod_namespace are Qtap keys cleartap does not know yet, so they never appear).

import { Buffer } from 'node:buffer';
import type { Transaction } from '../../core/transaction.ts';
import { authorityOf, durationMs, firstHeader, headerObject, transactionTime } from '../../sinks/stdout/index.ts';
import type { ConnectionDirection } from '../plugin.ts';

export type AccessLogRecord = Record<string, string | number | Record<string, string>>;

export function accessLogRecord(
  tx: Transaction,
  direction: ConnectionDirection,
  details: boolean,
  full: boolean,
): AccessLogRecord {
  const r: AccessLogRecord = {};
  const set = (key: string, value: string | number | undefined): void => {
    if (value !== undefined && value !== '') r[key] = value;
  };
  const req = tx.request;
  const res = tx.response;
  set('transaction_time', transactionTime(tx));
  set('duration_ms', durationMs(tx));
  set('direction', direction);
  set('process_exe', tx.process?.exe);
  set('request_id', tx.id);
  set('connection_id', tx.connectionId);
  set('request_method', req.method);
  set('request_scheme', tx.scheme);
  set('request_host', authorityOf(req.url));
  set('request_url', req.url);
  set('request_path', req.path);
  set('request_protocol', tx.protocol);
  set('request_content_type', firstHeader(req.headers, 'content-type'));
  set('response_status', res?.status);
  set('response_content_type', res === undefined ? undefined : firstHeader(res.headers, 'content-type'));
  if (details) {
    r.request_headers = headerObject(req.headers);
    if (res !== undefined) r.response_headers = headerObject(res.headers);
  }
  if (full) {
    if (req.body.byteLength > 0) r.request_body = base64(req.body);
    if (res !== undefined && res.body.byteLength > 0) r.response_body = base64(res.body);
  }
  return r;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

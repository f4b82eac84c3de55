// Transaction -> Qtap's `format: text` block (qtap-reference.md §3.2), for people reading a terminal:
//
//   HTTP Transaction
//   ================
//   Metadata:            Qtap's lines (Transaction Time, Duration, Direction, Request ID, Process ID, Process,
//     Key: value           Bytes Sent, Bytes Received), then cleartap's (Connection ID, Local, Remote, ...)
//   Request:             Method, URL, Content-Type; Headers: (details+, wire order, repeats kept); Body: (full)
//   Response:            Status, Content-Type, Headers:, Body:, laid out the same way
//
// Bodies print as text when they are UTF-8 without control characters, else as "(binary, N bytes)". Every
// other value is escaped (\xNN) where it holds control characters, so captured bytes cannot drive the terminal.
// Pseudo-headers are not listed: Method, URL and Status already say the same.

import { qtapDirection } from '../../core/ip.ts';
import { Buffer, isUtf8 } from 'node:buffer';
import type { HeaderList, HttpRequestRecord, HttpResponseRecord, Transaction } from '../../core/transaction.ts';
import { type CaptureLevelInput, levelIncludes, normalizeLevel } from './level.ts';
import { durationMs, firstHeader, formatEndpoint, transactionTime } from './transaction-fields.ts';

const TITLE = 'HTTP Transaction';
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
const CONTROL_ALL = /[\x00-\x1f\x7f-\x9f]/g;
// Line breaks and tabs are allowed inside a text body; every other control character makes it binary.
const BODY_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;

/** The text block for `tx` at `level`, ending in a newline; '' at level none. */
export function formatText(tx: Transaction, levelInput: CaptureLevelInput): string {
  const level = normalizeLevel(levelInput);
  if (level === 'none') return '';
  const details = levelIncludes(level, 'details');
  const full = level === 'full';
  const out: string[] = [TITLE, '='.repeat(TITLE.length), 'Metadata:'];

  const time = transactionTime(tx);
  if (time !== undefined) field(out, 'Transaction Time', time);
  const duration = durationMs(tx);
  if (duration !== undefined) field(out, 'Duration', `${duration}ms`);
  field(out, 'Direction', qtapDirection(tx.direction, tx.remote?.address));
  field(out, 'Request ID', tx.id);
  const p = tx.process;
  if (p !== undefined) {
    field(out, 'Process ID', String(p.pid));
    field(out, 'Process', p.exe);
  }
  field(out, 'Bytes Sent', String(tx.bytesSent));
  field(out, 'Bytes Received', String(tx.bytesReceived));
  field(out, 'Connection ID', tx.connectionId);
  field(out, 'Local', formatEndpoint(tx.local));
  field(out, 'Remote', formatEndpoint(tx.remote));
  field(out, 'TLS Library', tx.tlsLibrary ?? '');
  if (p !== undefined) {
    field(out, 'User', p.user !== '' && p.user !== String(p.uid) ? `${p.user} (uid ${p.uid})` : `uid ${p.uid}`);
    field(out, 'Command', p.cmdline.join(' '));
    field(out, 'Cgroup', p.cgroupPath);
    field(out, 'Container ID', p.containerId ?? '');
  }
  if (tx.upgraded === true) field(out, 'Upgraded', 'yes (bytes after the switch are not parsed)');
  if (tx.gapBytes !== undefined && tx.gapBytes > 0) field(out, 'Gap Bytes', String(tx.gapBytes));

  const req = tx.request;
  out.push('', 'Request:');
  field(out, 'Method', req.method);
  field(out, 'URL', req.url);
  field(out, 'Version', req.version);
  field(out, 'Content-Type', firstHeader(req.headers, 'content-type'));
  messageParts(out, req, details, full);

  out.push('', 'Response:');
  const res = tx.response;
  if (res === undefined) {
    out.push('  (none: the exchange ended before a response was seen)');
  } else {
    field(out, 'Status', res.reason !== '' ? `${res.status} ${res.reason}` : String(res.status));
    field(out, 'Content-Type', firstHeader(res.headers, 'content-type'));
    messageParts(out, res, details, full);
  }
  out.push('');
  return out.join('\n');
}

function messageParts(
  out: string[],
  msg: HttpRequestRecord | HttpResponseRecord,
  details: boolean,
  full: boolean,
): void {
  if (details) headerLines(out, 'Headers', msg.headers);
  if (full) bodyLines(out, msg);
  if (details && msg.trailers !== undefined && msg.trailers.length > 0) headerLines(out, 'Trailers', msg.trailers);
}

/** `  Name: value`, skipped when the value is empty. */
function field(out: string[], name: string, value: string): void {
  if (value !== '') out.push(`  ${name}: ${printable(value)}`);
}

function headerLines(out: string[], title: string, headers: HeaderList): void {
  if (headers.length === 0) {
    out.push(`  ${title}: (none)`);
    return;
  }
  out.push(`  ${title}:`);
  for (const [name, value] of headers) out.push(`    ${printable(name)}: ${printable(value)}`);
}

function bodyLines(out: string[], msg: HttpRequestRecord | HttpResponseRecord): void {
  const size = Math.max(msg.bodySize, msg.body.byteLength);
  if (size === 0) {
    out.push('  Body: (empty)');
    return;
  }
  const kept = msg.body.byteLength;
  const note = msg.bodyTruncated || kept < size ? `${kept} of ${size} bytes captured` : '';
  const text = kept > 0 ? bodyText(msg.body, msg.bodyTruncated) : undefined;
  if (text === undefined) {
    out.push(`  Body: (binary, ${size} bytes${note !== '' ? `, ${note}` : ''})`);
    return;
  }
  out.push('  Body:');
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) out.push(`    ${line}`);
  if (note !== '') out.push(`  (truncated: ${note})`);
}

/** The body as a string when it is printable UTF-8 text; undefined when it is binary. */
function bodyText(body: Uint8Array, truncated: boolean): string | undefined {
  let bytes: Uint8Array | undefined = isUtf8(body) ? body : undefined;
  // The capture limit may have cut a multi-byte character in two: a UTF-8 prefix is valid after at most 3 bytes go.
  for (let cut = 1; bytes === undefined && truncated && cut <= 3 && cut < body.byteLength; cut++) {
    const prefix = body.subarray(0, body.byteLength - cut);
    if (isUtf8(prefix)) bytes = prefix;
  }
  if (bytes === undefined) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return BODY_CONTROL.test(text) ? undefined : text;
}

/** `s` with control characters (C0, DEL, C1) written as \xNN, so captured bytes cannot drive a terminal. */
export function printable(s: string): string {
  if (!CONTROL.test(s)) return s;
  return s.replace(CONTROL_ALL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

// The one-line console summary of a transaction (qtap-reference.md §3.3), e.g.
//   ■ curl → GET https://api.example.com/v1/items/7 200 OK
// a square in the status colour (green 2xx, blue 3xx, yellow 4xx, red 5xx, gray otherwise or without a
// response), the executable's base name, → for egress or ← for ingress, the METHOD in bold, the URL, and the
// status code and text in the status colour. Captured text is escaped so it cannot drive the terminal.

import { STATUS_CODES } from 'node:http';
import { basename } from 'node:path';
import type { Transaction } from '../../core/transaction.ts';
import { printable } from '../../sinks/stdout/index.ts';
import type { ConnectionDirection } from '../plugin.ts';
import { type Color, type Span, span } from './styled-text.ts';

export function statusColor(tx: Transaction): Color {
  const status = tx.response?.status ?? 0;
  if (status >= 200 && status < 300) return 'green';
  if (status >= 300 && status < 400) return 'blue';
  if (status >= 400 && status < 500) return 'yellow';
  if (status >= 500 && status < 600) return 'red';
  return 'gray';
}

/** "200 OK"; the standard reason when the response carried none; '' without a response. */
export function statusText(tx: Transaction): string {
  const res = tx.response;
  if (res === undefined) return '';
  const reason = res.reason !== '' ? res.reason : (STATUS_CODES[res.status] ?? '');
  return printable(reason !== '' ? `${res.status} ${reason}` : String(res.status));
}

function exeName(tx: Transaction): string {
  const exe = tx.process?.exe ?? '';
  return exe !== '' ? printable(basename(exe)) : 'unknown';
}

export function summarySpans(tx: Transaction, direction: ConnectionDirection): Span[] {
  const color = statusColor(tx);
  const status = statusText(tx);
  return [
    span('■', color),
    span(` ${exeName(tx)} ${direction === 'ingress' ? '←' : '→'} `),
    span(printable(tx.request.method), undefined, true),
    span(` ${printable(tx.request.url)} `),
    status !== '' ? span(status, color) : span('(no response)', 'gray'),
  ];
}

// The console box for modes details and full (qtap-reference.md §3.3), at most 50 columns wide, drawn in the
// status colour:
//
//   ╭─ ■ curl → GET https://api.example.com/v1/items/7
//   │  200 OK
//   ├─ META
//   │  Process   PID 1234 @ /usr/bin/curl
//   │  Container 0123456789ab
//   │  Network   egress-external
//   │            ↑ 96 B sent   ↓ 112 B received
//   ├─ REQUEST http1
//   │  GET /v1/items/7
//   │  Headers
//   │  • Host: api.example.com
//   │  Body                                  (full only)
//   │    (empty)
//   ├─ RESPONSE 200 OK
//   │  ...the same layout
//   ╰─
//
// Long lines wrap inside the box, continuing under their own indentation. Pseudo-headers are not listed (cleartap
// records none for HTTP/1, and the METHOD line and the RESPONSE title say the same). Container name, image, pod
// and namespace are printed when the transaction will know them; today only the container id is known.

import type { HeaderList, HttpRequestRecord, HttpResponseRecord, Transaction } from '../../core/transaction.ts';
import { printable } from '../../sinks/stdout/index.ts';
import type { ConnectionDirection } from '../plugin.ts';
import { bodyPreview } from './body-preview.ts';
import { statusColor, statusText, summarySpans } from './console-line.ts';
import { humanBytes } from './human-bytes.ts';
import { type Color, renderSpans, type Span, span, wrapSpans } from './styled-text.ts';

const BOX_WIDTH = 50;
const BORDER_WIDTH = 3;
const LABEL_WIDTH = 10;

interface BoxLine {
  border: '╭─ ' | '├─ ' | '│  ';
  spans: Span[];
  /** Columns continuation lines are indented by, inside the box. */
  hang: number;
}

/** The box, one string per line, without newlines. */
export function consoleBox(tx: Transaction, direction: ConnectionDirection, full: boolean, color: boolean): string[] {
  const boxColor = statusColor(tx);
  const lines: BoxLine[] = [{ border: '╭─ ', spans: summarySpans(tx, direction), hang: 0 }];

  lines.push(title('META'));
  const p = tx.process;
  if (p !== undefined) lines.push(labelled('Process', `PID ${p.pid} @ ${printable(p.exe !== '' ? p.exe : 'unknown')}`));
  if (p?.containerId !== undefined && p.containerId !== '') lines.push(labelled('Container', p.containerId.slice(0, 12)));
  lines.push(labelled('Network', direction));
  lines.push(labelled('', `↑ ${humanBytes(tx.bytesSent)} sent   ↓ ${humanBytes(tx.bytesReceived)} received`));

  const req = tx.request;
  lines.push(title(`REQUEST ${tx.protocol}`));
  lines.push(content([span(printable(req.method), undefined, true), span(` ${printable(req.target)}`)], 0));
  messageLines(lines, req, full);

  const res = tx.response;
  lines.push(title(res === undefined ? 'RESPONSE' : `RESPONSE ${statusText(tx)}`));
  if (res === undefined) lines.push(content([span('(none: the exchange ended before a response was seen)', 'gray')], 0));
  else messageLines(lines, res, full);

  const out: string[] = [];
  for (const line of lines) out.push(...renderLine(line, boxColor, color));
  out.push(renderSpans([span('╰─', boxColor)], color));
  return out;
}

function renderLine(line: BoxLine, boxColor: Color, color: boolean): string[] {
  const inner = BOX_WIDTH - BORDER_WIDTH;
  const rows = wrapSpans(line.spans, inner, inner - line.hang);
  return rows.map((row, i) => {
    const border = i === 0 ? line.border : '│  ';
    const hang = i === 0 ? '' : ' '.repeat(line.hang);
    return renderSpans([span(border, boxColor), span(hang), ...row], color);
  });
}

function title(text: string): BoxLine {
  return { border: '├─ ', spans: [span(text, undefined, true)], hang: 0 };
}

function content(spans: Span[], hang: number): BoxLine {
  return { border: '│  ', spans, hang };
}

function labelled(label: string, value: string): BoxLine {
  return content([span(label.padEnd(LABEL_WIDTH)), span(value)], LABEL_WIDTH);
}

function messageLines(lines: BoxLine[], msg: HttpRequestRecord | HttpResponseRecord, full: boolean): void {
  headerLines(lines, 'Headers', msg.headers);
  if (msg.trailers !== undefined && msg.trailers.length > 0) headerLines(lines, 'Trailers', msg.trailers);
  if (!full) return;
  lines.push(content([span('Body')], 0));
  for (const text of bodyPreview(msg)) lines.push(content([span(`  ${text}`)], 2));
}

function headerLines(lines: BoxLine[], heading: string, headers: HeaderList): void {
  if (headers.length === 0) {
    lines.push(content([span(`${heading} (none)`)], 0));
    return;
  }
  lines.push(content([span(heading)], 0));
  for (const [name, value] of headers) lines.push(content([span(`• ${printable(name)}: ${printable(value)}`)], 2));
}

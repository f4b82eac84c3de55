// Request and response bodies -> values the schema sketch can take: JSON as parsed, form and multipart fields as an
// object of typed values (file parts listed apart, they have a media type rather than a schema), text as the
// string. A body cut short by the capture limit, or one that does not parse, is reported as such and counted
// by the caller; it never throws.

import { Buffer } from 'node:buffer';
import { coerceText } from './value-format.ts';
import { formPairs, mediaTypeParam } from './request-parts.ts';

export type BodyKind = 'json' | 'form' | 'multipart' | 'text' | 'binary';

export type DecodedBody =
  | { kind: 'value'; value: unknown; files: Array<[name: string, mediaType: string]> }
  | { kind: 'binary' }
  /** Nothing to read: no body, or the capture level kept none. */
  | { kind: 'absent' }
  | { kind: 'unparsed'; reason: 'truncated' | 'invalid' };

const utf8 = new TextDecoder('utf-8');

export function bodyKindOf(mediaType: string): BodyKind {
  if (mediaType === 'application/json' || mediaType.endsWith('+json') || mediaType === 'text/json') return 'json';
  if (mediaType === 'application/x-www-form-urlencoded') return 'form';
  if (mediaType === 'multipart/form-data') return 'multipart';
  if (mediaType.startsWith('text/') || mediaType.endsWith('/xml') || mediaType.endsWith('+xml') || mediaType === 'application/javascript') return 'text';
  return 'binary';
}

/** The media type to file an unlabelled body under: JSON when it parses as such. */
export function sniffMediaType(body: Uint8Array): string {
  let i = 0;
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++;
  if (i < body.length && (body[i] === 0x7b || body[i] === 0x5b)) {
    try {
      JSON.parse(utf8.decode(body));
      return 'application/json';
    } catch {
      // not JSON after all
    }
  }
  return 'application/octet-stream';
}

/** Named fields of a form: repeated names become arrays, values typed as coerceText reads them. */
export function fieldsObject(pairs: Array<[string, string]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, text] of pairs) {
    if (name === '__proto__') continue;
    const v = coerceText(text);
    const prev = out[name];
    if (prev === undefined) out[name] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[name] = [prev, v];
  }
  return out;
}

export function decodeBody(body: Uint8Array, truncated: boolean, mediaType: string, contentType: string): DecodedBody {
  if (body.byteLength === 0) return { kind: 'absent' };
  switch (bodyKindOf(mediaType)) {
    case 'json': {
      try {
        return { kind: 'value', value: JSON.parse(utf8.decode(body)), files: [] };
      } catch {
        return { kind: 'unparsed', reason: truncated ? 'truncated' : 'invalid' };
      }
    }
    case 'form':
      if (truncated) return { kind: 'unparsed', reason: 'truncated' };
      return { kind: 'value', value: fieldsObject(formPairs(utf8.decode(body))), files: [] };
    case 'multipart':
      return decodeMultipart(body, truncated, mediaTypeParam(contentType, 'boundary'));
    case 'text':
      return { kind: 'value', value: utf8.decode(body), files: [] };
    default:
      return { kind: 'binary' };
  }
}

const DISPOSITION_NAME = /;\s*name="([^"]*)"/i;
const DISPOSITION_FILE = /;\s*filename\*?=/i;
const MAX_PARTS = 64;

function decodeMultipart(body: Uint8Array, truncated: boolean, boundary: string): DecodedBody {
  if (boundary === '') return { kind: 'unparsed', reason: 'invalid' };
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Array<[string, string]> = [];
  const files: Array<[string, string]> = [];
  let at = buf.indexOf(delimiter);
  if (at < 0) return { kind: 'unparsed', reason: truncated ? 'truncated' : 'invalid' };
  for (let parts = 0; parts < MAX_PARTS; parts++) {
    const start = at + delimiter.length;
    if (buf[start] === 0x2d && buf[start + 1] === 0x2d) break; // closing delimiter
    const next = buf.indexOf(delimiter, start);
    // A part cut off by the capture limit still names itself in its head.
    const end = next < 0 ? buf.length : next;
    const headEnd = buf.indexOf('\r\n\r\n', start);
    if (headEnd < 0 || headEnd > end) break;
    const head = buf.toString('latin1', start, headEnd);
    const name = DISPOSITION_NAME.exec(head)?.[1];
    if (name !== undefined && name !== '') {
      const type = /^content-type:\s*([^\r\n;]+)/im.exec(head)?.[1].trim().toLowerCase() ?? '';
      if (DISPOSITION_FILE.test(head) || (type !== '' && !type.startsWith('text/'))) files.push([name, type || 'application/octet-stream']);
      else if (next >= 0) fields.push([name, buf.toString('utf8', headEnd + 4, Math.max(headEnd + 4, end - 2))]);
    }
    if (next < 0) break;
    at = next;
  }
  return { kind: 'value', value: fieldsObject(fields), files };
}

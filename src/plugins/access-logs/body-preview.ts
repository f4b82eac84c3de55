// A captured body as lines for the console box (mode full): JSON re-indented, other text as is, binary content
// as one sentence naming its type, "(empty)" when there is none.

import { Buffer, isUtf8 } from 'node:buffer';
import type { HttpRequestRecord, HttpResponseRecord } from '../../core/transaction.ts';
import { firstHeader, printable } from '../../sinks/stdout/index.ts';
import { indentJson } from './json-indent.ts';

const JSON_TYPE = /^[^;]*[/+](?:x-)?json\s*(?:;|$)/i;
const BINARY_TOP_TYPES = new Set(['image', 'audio', 'video', 'font']);
const BINARY_SUBTYPE = /^(?:octet-stream|pdf|zip|gzip|x-gzip|x-tar|x-7z-compressed|x-bzip2|zstd|wasm|x-protobuf|protobuf|grpc(?:\+.*)?|vnd\.google\.protobuf|msgpack|x-msgpack|cbor)$/;
// Line breaks and tabs are allowed in text; any other control character makes a body binary.
const BODY_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;

export function bodyPreview(msg: HttpRequestRecord | HttpResponseRecord): string[] {
  const size = Math.max(msg.bodySize, msg.body.byteLength);
  if (size === 0) return ['(empty)'];
  const contentType = firstHeader(msg.headers, 'content-type').trim();
  const encoding = firstHeader(msg.headers, 'content-encoding').trim().toLowerCase();
  const kept = msg.body.byteLength;
  if (kept === 0) return [`(${size} bytes, not captured)`];
  const binary = `Body is in binary format (${contentType !== '' ? contentType : 'unknown type'})`;
  if (isBinaryType(contentType) || (encoding !== '' && encoding !== 'identity')) return [binary];
  const text = bodyText(msg.body, msg.bodyTruncated || kept < size);
  if (text === undefined) return [binary];
  const lines = JSON_TYPE.test(contentType) && /^\s*[[{]/.test(text) ? indentJson(text) : textLines(text);
  if (msg.bodyTruncated || kept < size) lines.push(`(truncated: ${kept} of ${size} bytes captured)`);
  return lines.map((line) => printable(line.replaceAll('\t', '  ')));
}

export function isBinaryType(contentType: string): boolean {
  const media = contentType.split(';', 1)[0]!.trim().toLowerCase();
  const slash = media.indexOf('/');
  if (slash <= 0) return false;
  return BINARY_TOP_TYPES.has(media.slice(0, slash)) || BINARY_SUBTYPE.test(media.slice(slash + 1));
}

function textLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The body as text when it is printable UTF-8; a prefix cut mid-character still counts as text. */
function bodyText(body: Uint8Array, cut: boolean): string | undefined {
  let bytes: Uint8Array | undefined = isUtf8(body) ? body : undefined;
  for (let drop = 1; bytes === undefined && cut && drop <= 3 && drop < body.byteLength; drop++) {
    const prefix = body.subarray(0, body.byteLength - drop);
    if (isUtf8(prefix)) bytes = prefix;
  }
  if (bytes === undefined) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return BODY_CONTROL.test(text) ? undefined : text;
}

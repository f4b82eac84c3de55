// gRPC over HTTP/2 (the gRPC "PROTOCOL-HTTP2" spec): the method from :path, the length-prefixed messages in a
// body, and the status from the trailers (or from the headers of a trailers-only response). Pure; never throws.
import type { HeaderList } from '../../core/transaction.ts';

const STATUS_NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

/** application/grpc, application/grpc+proto, application/grpc-web…, parameters allowed. */
export function isGrpc(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/grpc(?:[+;-]|$)/i.test(contentType.trim());
}

/** "/pkg.Service/Method" → its parts. */
export function grpcMethod(path: string | undefined): { service: string; method: string } | undefined {
  const m = path === undefined ? null : /^\/([^/]+)\/([^/?]+)$/.exec(path);
  return m ? { service: m[1], method: m[2] } : undefined;
}

export interface GrpcMessage {
  compressed: boolean;
  /** The length the prefix declares. */
  length: number;
  /** The bytes of it that were kept (fewer than length when the body was truncated). */
  data: Uint8Array;
}

/** The messages of a gRPC body: 1 byte compressed flag, 4 bytes length, the message. */
export function grpcMessages(body: Uint8Array, truncated: boolean, maxMessages = 1000): { messages: GrpcMessage[]; complete: boolean; invalid?: string } {
  const messages: GrpcMessage[] = [];
  let at = 0;
  while (at < body.length && messages.length < maxMessages) {
    if (at + 5 > body.length) return { messages, complete: false, ...(truncated ? {} : { invalid: 'a message prefix is cut off' }) };
    const flag = body[at];
    if (flag > 1) return { messages, complete: false, invalid: `compressed flag ${flag} at byte ${at}` };
    const length = ((body[at + 1] << 24) >>> 0) + ((body[at + 2] << 16) | (body[at + 3] << 8) | body[at + 4]);
    const end = Math.min(body.length, at + 5 + length);
    messages.push({ compressed: flag === 1, length, data: body.subarray(at + 5, end) });
    if (at + 5 + length > body.length) return { messages, complete: false, ...(truncated ? {} : { invalid: 'the last message is cut off' }) };
    at = end;
  }
  return { messages, complete: at === body.length && !truncated };
}

/** grpc-status and grpc-message (percent-decoded) from trailers, or from the headers of a trailers-only response. */
export function grpcStatus(fields: HeaderList | undefined): { code: number; name: string; message?: string } | undefined {
  if (fields === undefined) return undefined;
  let code: number | undefined;
  let message: string | undefined;
  for (const [n, v] of fields) {
    if (n === 'grpc-status') code = Number(v);
    else if (n === 'grpc-message' && v !== '') message = percentDecode(v);
  }
  if (code === undefined || !Number.isInteger(code)) return undefined;
  return { code, name: STATUS_NAMES[code] ?? `CODE_${code}`, ...(message === undefined ? {} : { message }) };
}

function percentDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

// The control plane's error taxonomy: every error a client sees is {error: {code, message, details?}} with a
// stable code (clients branch on it, never on the message) and the HTTP status that code always has. Fastify's
// own failures (validation, body too large, bad JSON) are translated into the same shape by errorHandler.

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CleartapError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

export const API_ERRORS = {
  /** A parameter, query field or body field is missing or malformed; details name each field. */
  CT_ERR_VALIDATION: 400,
  /** The body is not JSON, or not the JSON the route takes. */
  CT_ERR_BAD_REQUEST: 400,
  /** A config document failed the agent's config validator; details carry line, column and key path. */
  CT_ERR_CONFIG_INVALID: 400,
  /** An uploaded OpenAPI document does not parse. */
  CT_ERR_SPEC_INVALID: 400,
  /** No credentials, or credentials that are unknown, expired or revoked. */
  CT_ERR_UNAUTHENTICATED: 401,
  /** Authenticated, but the role (or kind of credential) is not allowed on this route. */
  CT_ERR_FORBIDDEN: 403,
  CT_ERR_NOT_FOUND: 404,
  /** The change contradicts the current state (a name taken, the last admin, a stale base version). */
  CT_ERR_CONFLICT: 409,
  CT_ERR_PAYLOAD_TOO_LARGE: 413,
  /** A path segment longer than any route takes. */
  CT_ERR_URI_TOO_LONG: 414,
  CT_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  /** Too many failed logins for this user; retry after the Retry-After header's seconds. */
  CT_ERR_RATE_LIMITED: 429,
  CT_ERR_INTERNAL: 500,
  /** The server is shutting down or its state cannot be read. */
  CT_ERR_UNAVAILABLE: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ApiErrorDetail {
  /** Where: `querystring.limit`, `body.password`, `params.id`, or a config key path with line and column. */
  field?: string;
  message: string;
  line?: number;
  column?: number;
  severity?: 'error' | 'warning';
}

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly details: ApiErrorDetail[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ApiErrorCode, message: string, options: { details?: ApiErrorDetail[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = API_ERRORS[code];
    this.details = options.details;
    this.headers = options.headers;
  }
}

export const notFound = (what: string): ApiError => new ApiError('CT_ERR_NOT_FOUND', `${what} not found`);
export const invalidField = (field: string, message: string): ApiError =>
  new ApiError('CT_ERR_VALIDATION', `${field}: ${message}`, { details: [{ field, message }] });

export interface ErrorBody {
  error: { code: ApiErrorCode; message: string; details?: ApiErrorDetail[] };
}

export function errorBody(err: ApiError): ErrorBody {
  return { error: { code: err.code, message: err.message, ...(err.details !== undefined && { details: err.details }) } };
}

interface AjvLikeError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Fastify's Ajv errors → details that name the field: `querystring.limit`, `body.users[0].role`. */
function validationDetails(context: string, errors: readonly AjvLikeError[]): ApiErrorDetail[] {
  return errors.map((e) => {
    const path = (e.instancePath ?? '').split('/').filter((s) => s !== '').map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join('');
    const extra = e.params?.additionalProperty ?? e.params?.missingProperty;
    const field = `${context}${path}${typeof extra === 'string' ? `.${extra}` : ''}`;
    let message = e.message ?? 'is invalid';
    if (typeof e.params?.additionalProperty === 'string') message = 'is not a known field';
    else if (typeof e.params?.missingProperty === 'string') message = 'is required';
    else if (Array.isArray(e.params?.allowedValues)) message = `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
    return { field, message };
  });
}

/** Translates any thrown error into the API's error shape; unexpected ones are logged and answered 500. */
export function toApiError(err: unknown, log: Logger): ApiError {
  if (err instanceof ApiError) return err;
  const fe = err as FastifyError & { validation?: AjvLikeError[]; validationContext?: string };
  if (Array.isArray(fe.validation)) {
    const details = validationDetails(fe.validationContext ?? 'request', fe.validation);
    return new ApiError('CT_ERR_VALIDATION', details.map((d) => `${d.field} ${d.message}`).join('; '), { details });
  }
  if (err instanceof CleartapError && err.code === 'CT_ERR_USAGE') return new ApiError('CT_ERR_VALIDATION', err.message);
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 413) return new ApiError('CT_ERR_PAYLOAD_TOO_LARGE', fe.message);
  if (status === 414) return new ApiError('CT_ERR_URI_TOO_LONG', 'a path segment is too long');
  if (status === 415) return new ApiError('CT_ERR_UNSUPPORTED_MEDIA_TYPE', fe.message);
  if (status === 503) return new ApiError('CT_ERR_UNAVAILABLE', fe.message);
  if (status >= 400 && status < 500) return new ApiError('CT_ERR_BAD_REQUEST', fe.message);
  log.error({ err }, 'control plane: request failed');
  return new ApiError('CT_ERR_INTERNAL', 'internal error (logged by the server)');
}

export function sendError(reply: FastifyReply, err: ApiError): FastifyReply {
  if (err.headers !== undefined) reply.headers(err.headers);
  return reply.code(err.status).type('application/json; charset=utf-8').send(errorBody(err));
}

export function errorHandler(log: Logger) {
  return (err: unknown, _request: FastifyRequest, reply: FastifyReply): FastifyReply => sendError(reply, toApiError(err, log));
}

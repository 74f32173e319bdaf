// The HTTP edge's one translation table: HuddleError kinds to statuses, and the error body.

import { HuddleError, type ErrorKind } from '../core/errors.js';

export const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** Codes the HTTP edge answers with a status more precise than their kind's. */
const STATUS_BY_CODE: Record<string, number> = {
  method_not_allowed: 405,
  unsupported_media_type: 415,
};

export interface WireError {
  error: { code: string; message: string; retryable: boolean; details: Record<string, unknown> };
}

/** Turns anything thrown into a status, headers and the wire error body. */
export function toHttpError(err: unknown): {
  status: number;
  headers: Record<string, string>;
  body: WireError;
} {
  const e =
    err instanceof HuddleError
      ? err
      : new HuddleError(
          'internal',
          'internal_error',
          'The hub hit an unexpected error; it has been logged. Retry, and report it if it persists.',
          {
            retryable: true,
          },
        );
  const headers: Record<string, string> = {};
  if (e.retryAfterMs !== undefined)
    headers['Retry-After'] = String(Math.max(1, Math.ceil(e.retryAfterMs / 1000)));
  if (e.kind === 'unauthenticated') headers['WWW-Authenticate'] = 'Bearer realm="huddle"';
  // The unread rest of an oversized body is left on the socket, so the connection cannot be reused.
  if (e.code === 'request_too_large') headers['Connection'] = 'close';
  if (e.code === 'method_not_allowed') headers['Allow'] = String(e.details.allow);
  return {
    status: STATUS_BY_CODE[e.code] ?? HTTP_STATUS[e.kind],
    headers,
    body: {
      error: { code: e.code, message: e.message, retryable: e.retryable, details: e.details },
    },
  };
}

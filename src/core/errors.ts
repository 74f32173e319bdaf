// The one error type of huddle: a stable code, a kind that each edge maps to its own status, and data.

/**
 * What went wrong, in categories every edge can translate: HTTP maps each kind to a status,
 * MCP to an `isError` tool result, WebSocket to a close code.
 */
export type ErrorKind =
  | 'invalid' // the request is malformed or breaks a rule: 400
  | 'unauthenticated' // no usable credential: 401
  | 'forbidden' // the credential may not do this: 403
  | 'not_found' // 404
  | 'conflict' // the state does not allow it (version mismatch, already used): 409
  | 'gone' // it existed but has expired: 410
  | 'too_large' // a size limit was passed: 413
  | 'rate_limited' // too many requests: 429
  | 'unavailable' // try again later: 503
  | 'internal'; // a bug: 500

export interface HuddleErrorOptions {
  details?: Record<string, unknown>;
  retryable?: boolean;
  /** For rate_limited and unavailable: when a retry may succeed. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** Thrown by the core and the stores; translated once at each edge. */
export class HuddleError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(kind: ErrorKind, code: string, message: string, options: HuddleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HuddleError';
    this.kind = kind;
    this.code = code;
    this.details = options.details ?? {};
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = options.retryable ?? (kind === 'rate_limited' || kind === 'unavailable');
  }
}

export function isHuddleError(value: unknown): value is HuddleError {
  return value instanceof HuddleError;
}

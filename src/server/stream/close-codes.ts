// The WebSocket edge's translation table: why a stream connection closes, and whether a client
// should reconnect and resume from its cursor.

export const CLOSE = {
  /** The hub is shutting down: reconnect (to it or another hub) and resume. */
  goingAway: 1001,
  /** No valid credential in time, or its token was revoked or rotated: do not retry as is. */
  unauthenticated: 4001,
  /** The connection fell too far behind: reconnect and resume from the last seq received. */
  slowConsumer: 4008,
} as const;

/** Close codes after which a client should reconnect and resume from its cursor. */
export const RESUMABLE_CLOSE_CODES: readonly number[] = [CLOSE.goingAway, CLOSE.slowConsumer];

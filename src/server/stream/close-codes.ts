// The WebSocket edge's translation table: why a stream connection closes, and whether a client
// should reconnect and resume from its cursor.

import type { ErrorKind } from '../../core/errors.js';

export const CLOSE = {
  /** The hub is shutting down: reconnect (to it or another hub) and resume. */
  goingAway: 1001,
  /** A bug in the hub: reconnect and resume. */
  internal: 1011,
  /** No valid credential in time, or a token that stopped working: do not retry as is. */
  unauthenticated: 4001,
  /** The credential may not do this. */
  forbidden: 4003,
  /** The connection fell too far behind: reconnect and resume from the last seq received. */
  slowConsumer: 4008,
  /** Too many rate-limited frames: reconnect later and resume. */
  rateLimited: 4029,
  /** The client broke the protocol. */
  protocol: 4400,
} as const;

/** Close codes after which a client should reconnect and resume from its cursor. */
export const RESUMABLE_CLOSE_CODES: readonly number[] = [
  CLOSE.goingAway,
  CLOSE.internal,
  CLOSE.slowConsumer,
  CLOSE.rateLimited,
];

/** The close code for an error that ends a connection. */
export function closeCodeFor(kind: ErrorKind): number {
  switch (kind) {
    case 'unauthenticated':
      return CLOSE.unauthenticated;
    case 'forbidden':
      return CLOSE.forbidden;
    case 'rate_limited':
      return CLOSE.rateLimited;
    case 'unavailable':
      return CLOSE.goingAway;
    case 'internal':
      return CLOSE.internal;
    default:
      return CLOSE.protocol;
  }
}

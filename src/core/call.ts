// The context a use-case that acts in a room takes first: who acts, in which room, as which agent,
// under which idempotency key. A transport builds it once per request; the use-case's own input
// comes second.

import type { Principal } from './hub-context.js';

export interface Call {
  principal: Principal;
  /** The room's name, as the request named it. */
  room: string;
  /** The agent the caller acts as (one of its member's, or any with an admin's override). */
  agent: string;
  /** The request's idempotency key, when it gave one. */
  key?: string | undefined;
}

/** The context of a call in a room that acts as no agent (a note, the checkpoint, a decision). */
export type RoomCall = Omit<Call, 'agent'>;

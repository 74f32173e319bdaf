// Admin overrides: what another agent holds (a task, a lease) changes only when an agent of an
// admin member asks with `force`; the change's event records the override and the holder is told.

import { HuddleError } from './errors.js';
import type { Principal } from './hub-context.js';
import type { RoomEvent } from './types.js';

/** How a refusal says the way past it. */
export const OVERRIDE_HINT = 'An admin overrides with --force (force: true).';

/** Recorded as `override` in the body of the event of a change that overrode another's hold. */
export interface Override {
  /** The acting agent. */
  by: string;
  /** The label of the acting agent's member (the one with the admin scope). */
  member: string;
}

/**
 * Refuses `force` from a member without the `admin` scope, before anything is read: a plain
 * member never overrides, and asking to is a mistake worth saying.
 */
export function assertForceAllowed(p: Principal, force: boolean | undefined): void {
  if (force !== true || p.member.scopes.includes('admin')) return;
  throw new HuddleError(
    'forbidden',
    'force_requires_admin',
    `force overrides another agent's hold and needs the "admin" scope; member "${p.member.label}" has ${p.member.scopes.join(', ') || 'none'}. Ask the holder instead.`,
    { details: { field: 'force', granted: p.member.scopes } },
  );
}

/** The override an acting agent of `p` makes. */
export function overrideBy(p: Principal, agent: string): Override {
  return { by: agent, member: p.member.label };
}

/** The message the holder gets: who overrode their hold on what, and what it did. */
export function overrideNotice(o: Override, what: string, next: string): string {
  return `${o.by} (admin member "${o.member}") overrode your hold: ${what}. ${next}`;
}

/** ` (overriding alice)` for a change whose event records an override, else nothing. */
export function overrideAside(event: RoomEvent | null | undefined): string {
  const o = event?.body.override as { holder?: string; holders?: string[] } | undefined;
  return o ? ` (overriding ${o.holder ?? o.holders?.join(', ')})` : '';
}

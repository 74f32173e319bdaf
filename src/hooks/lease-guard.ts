// The edit-time lease guard: an edit of a path that another live agent leases is refused before
// it happens, with the holder, the lease and how to ask them.

import { isAbsolute, relative, resolve } from 'node:path';
import { escapeAngles } from '../core/messaging/framing.js';
import { globMatches } from '../core/leases/globs.js';
import type { Lease } from '../core/types.js';
import type { HookHub } from './hook-types.js';

/** The tools that write files, and where their input names the file. */
export const EDIT_TOOLS: Record<string, string> = {
  Edit: 'file_path',
  Write: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};

/** `file` relative to the project (with "/"), or null when it lies outside it. */
export function projectPath(projectDir: string, cwd: string, file: string): string | null {
  const rel = relative(projectDir, resolve(cwd, file));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return rel.split('\\').join('/');
}

/**
 * The lease that forbids `agent` to edit `path`: another agent's exclusive lease, or another
 * agent's shared lease while `agent` holds no shared lease of its own over the path.
 */
export function blockingLease(leases: Lease[], agent: string): Lease | null {
  const mineShared = leases.some((l) => l.agent === agent && l.mode === 'shared');
  return leases.find((l) => l.agent !== agent && (l.mode === 'exclusive' || !mineShared)) ?? null;
}

export function denyReason(path: string, lease: Lease): string {
  const reason = lease.reason ? `, reason: ${escapeAngles(lease.reason)}` : '';
  return (
    `huddle: ${path} is leased by agent "${lease.agent}" (lease ${lease.id}, ${lease.mode}, ` +
    `until ${lease.expires_at}${reason}). Do not edit it now: ask "${lease.agent}" with the huddle ` +
    `send tool to release or hand it over, or work on something else meanwhile.`
  );
}

/** The reason to refuse editing `file`, or null when the edit may go ahead. */
export async function checkEdit(
  hub: HookHub,
  room: string,
  agent: string,
  path: string,
): Promise<string | null> {
  // Matched here against the literal path: a file name may hold glob characters (`app/[id]/x.tsx`)
  // that the hub's path filter would read as a pattern.
  const { leases } = await hub.leases(room);
  const covering = leases.filter((l) => l.paths.some((pattern) => globMatches(pattern, path)));
  const lease = blockingLease(covering, agent);
  return lease ? denyReason(path, lease) : null;
}

// Which agent a client's `huddle mcp` speaks for, so the same client's hooks act for the same
// agent: the bridge writes a link file named for its parent process (the client), and a hook looks
// for one among its own ancestors. A second session in the same directory, whose bridge took a
// suffixed name, is then still matched to the right agent.

import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ancestors, processAlive, startTime } from './process-tree.js';

export interface SessionLink {
  url: string;
  room: string;
  agent: string;
  /** The bridge's own pid. */
  pid: number;
  /** The client's start time, so a later process with the client's pid is not taken for it. */
  client_started?: string | null;
}

const linkPath = (home: string, clientPid: number) => join(home, 'run', `client-${clientPid}.json`);

/** Writes the link for this process's parent; the returned function removes it. */
export function writeSessionLink(
  home: string,
  link: Omit<SessionLink, 'pid' | 'client_started'>,
): () => void {
  const path = linkPath(home, process.ppid);
  mkdirSync(join(home, 'run'), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  const record = { ...link, pid: process.pid, client_started: startTime(process.ppid) };
  writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
  renameSync(tmp, path);
  return () => {
    // Another bridge of the same client may have replaced it since; leave that one.
    if (readLink(path)?.pid === process.pid) rmSync(path, { force: true });
  };
}

function readLink(path: string): SessionLink | null {
  try {
    const link = JSON.parse(readFileSync(path, 'utf8')) as SessionLink;
    return typeof link.agent === 'string' && typeof link.room === 'string' ? link : null;
  } catch {
    return null;
  }
}

/** Whether the link names a client process that still runs (not a later one with its pid). */
function live(clientPid: number, link: SessionLink): boolean {
  if (!processAlive(clientPid)) return false;
  return !link.client_started || link.client_started === startTime(clientPid);
}

/**
 * Whether another running client's bridge speaks for `agent` in `room`: then that name is another
 * session's, and a hook of this session must not act for it.
 */
export function linkedElsewhere(
  home: string,
  url: string,
  room: string,
  agent: string,
  mine: readonly number[] = ancestors(),
): boolean {
  let names: string[];
  try {
    names = readdirSync(join(home, 'run'));
  } catch {
    return false;
  }
  return names.some((name) => {
    const pid = Number(/^client-(\d+)\.json$/.exec(name)?.[1]);
    if (!pid || mine.includes(pid)) return false;
    const link = readLink(join(home, 'run', name));
    return link?.url === url && link.room === room && link.agent === agent && live(pid, link);
  });
}

/** The link of the nearest ancestor whose bridge talks to `url` in `room`, if any. */
export function findSessionLink(
  home: string,
  url: string,
  room: string,
  mine: readonly number[] = ancestors(),
): SessionLink | null {
  for (const pid of mine) {
    const link = readLink(linkPath(home, pid));
    if (!link || link.url !== url || link.room !== room) continue;
    // A link left by a bridge that was killed, for an earlier process with this pid.
    if (link.client_started && link.client_started !== startTime(pid)) continue;
    return link;
  }
  return null;
}

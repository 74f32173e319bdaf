// This machine's member tokens, per hub and room, in $HUDDLE_HOME/config.json (mode 0600).

import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Member, Scope } from '../core/types.js';

export interface StoredCredential {
  token: string;
  member_id: string;
  label: string;
  scopes: Scope[];
  saved_at: string;
  /** Agents this machine registered in the room, most recent last. */
  agents?: string[];
}

interface CredentialsFile {
  version: 1;
  hubs: Record<string, { rooms: Record<string, StoredCredential> }>;
}

export interface Credentials {
  readonly path: string;
  get(hub: string, room: string): StoredCredential | undefined;
  /** Saves (or replaces) a room's credential; the file is rewritten atomically with mode 0600. */
  put(hub: string, room: string, credential: StoredCredential): void;
  remove(hub: string, room: string): void;
  list(): Array<{ hub: string; room: string; credential: StoredCredential }>;
}

export function openCredentials(home: string): Credentials {
  const path = join(home, 'config.json');
  const load = (): CredentialsFile => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, hubs: {} };
      throw err;
    }
    try {
      const data = JSON.parse(text) as CredentialsFile;
      if (data && typeof data.hubs === 'object' && data.hubs !== null) return data;
    } catch {
      // fall through to the error below
    }
    throw new Error(
      `${path} is not a huddle credentials file; move it away and join your rooms again.`,
    );
  };
  const save = (data: CredentialsFile) => {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  };
  const key = (hub: string) => hub.replace(/\/+$/, '');

  return {
    path,
    get: (hub, room) => load().hubs[key(hub)]?.rooms[room],
    put(hub, room, credential) {
      const data = load();
      (data.hubs[key(hub)] ??= { rooms: {} }).rooms[room] = credential;
      save(data);
    },
    remove(hub, room) {
      const data = load();
      const entry = data.hubs[key(hub)];
      if (!entry?.rooms[room]) return;
      delete entry.rooms[room];
      if (Object.keys(entry.rooms).length === 0) delete data.hubs[key(hub)];
      save(data);
    },
    list() {
      const data = load();
      return Object.entries(data.hubs).flatMap(([hub, { rooms }]) =>
        Object.entries(rooms).map(([room, credential]) => ({ hub, room, credential })),
      );
    },
  };
}

/** The credential to keep for a member token the hub just minted (create or join). */
export function credentialFor(minted: { token: string; member: Member }): StoredCredential {
  return {
    token: minted.token,
    member_id: minted.member.id,
    label: minted.member.label,
    scopes: minted.member.scopes,
    saved_at: new Date().toISOString(),
  };
}

// What every request looks up and rarely changes: which tokens are valid and who the agents are.
// Kept in memory, and forgotten when an event that changes it is announced, so a message costs no
// store read for them. Every event that changes a token, a member or an agent is announced before
// anyone hears of it, so a cached answer is never older than the last acknowledged change. When
// several hubs share the store, another hub's changes are not announced here: answers then
// expire after a second.

import type { Credential, Store } from './store.js';
import type { Agent, RoomEvent } from './types.js';

/** Entries kept at most per map; past it the map starts over (a hub rarely sees so many). */
const MAX_ENTRIES = 50_000;

export interface LookupCache {
  /** Whether the token with this digest is valid: store.findCredential(digest) !== null. */
  tokenValid(digest: string): Promise<boolean>;
  /** store.getAgent, with last_seen as of when it was cached (status and identity are current). */
  agent(roomId: string, name: string): Promise<Agent | null>;
  /** Sees every event this hub announces, before it is published, and forgets what it changes. */
  observe(event: RoomEvent, roomId: string): void;
  /** The room was deleted: its tokens and agents are gone. */
  forgetRoom(roomId: string): void;
}

/** How long an answer is trusted when other hubs write the same store (see below). */
export const SHARED_MAX_AGE_MS = 1000;

/**
 * With `shared`, other hubs write the same store and this one does not see their changes
 * announced: an answer is trusted for `SHARED_MAX_AGE_MS` at most, so a revocation, rotation or
 * retirement made through another hub takes effect here within that time (its own are at once).
 */
export function createLookupCache(
  store: Store,
  options: { shared?: boolean; now?: () => number } = {},
): LookupCache {
  const now = options.now ?? Date.now;
  const maxAge = options.shared ? SHARED_MAX_AGE_MS : Number.POSITIVE_INFINITY;
  /** Valid token digests, with when they were read. */
  const validTokens = new Map<string, number>();
  /** Per room, its agents by name, with when they were read. */
  const agents = new Map<string, Map<string, { agent: Agent; at: number }>>();
  let agentCount = 0;
  const fresh = (at: number) => now() - at < maxAge;

  return {
    async tokenValid(digest) {
      const at = validTokens.get(digest);
      if (at !== undefined && fresh(at)) return true;
      const read = now();
      const found: Credential | null = await store.findCredential(digest);
      if (!found) {
        validTokens.delete(digest);
        return false;
      }
      if (validTokens.size >= MAX_ENTRIES) validTokens.clear();
      validTokens.set(digest, read);
      return true;
    },
    async agent(roomId, name) {
      const cached = agents.get(roomId)?.get(name);
      if (cached && fresh(cached.at)) return cached.agent;
      const read = now();
      const found = await store.getAgent(roomId, name);
      // Unknown names are not remembered: anyone may ask for any name.
      if (!found) return null;
      if (agentCount >= MAX_ENTRIES) {
        agents.clear();
        agentCount = 0;
      }
      let room = agents.get(roomId);
      if (!room) agents.set(roomId, (room = new Map()));
      if (!room.has(name)) agentCount++;
      room.set(name, { agent: found, at: read });
      return found;
    },
    observe(event, roomId) {
      // Revocations, rotations and removed tokens: which digest changed is not always in the
      // event, and they are rare, so every token is checked again.
      if (event.type.startsWith('member.')) validTokens.clear();
      if (event.type.startsWith('agent.')) {
        const room = agents.get(roomId);
        if (room) {
          agentCount -= room.size;
          agents.delete(roomId);
        }
      }
    },
    forgetRoom(roomId) {
      validTokens.clear();
      const room = agents.get(roomId);
      if (room) agentCount -= room.size;
      agents.delete(roomId);
    },
  };
}

// A person's member (as a signed-in browser will be) added to a room straight through the store,
// with its token, for tests of what only a person may do. Its agent is registered like any other.

import { randomUUID } from 'node:crypto';
import { createHubClient, type HubClient } from '../../src/client/hub-client.js';
import { cryptoRandom } from '../../src/core/random.js';
import { digestSecret, mintToken } from '../../src/core/members/tokens.js';
import type { Member, Scope } from '../../src/core/types.js';
import { openCredentials } from '../../src/cli/credentials.js';
import { huddleOk } from './cli.js';
import type { TestHub } from './hub.js';

export interface Person {
  member: Member;
  token: string;
  /** The hub as this person. */
  api: HubClient;
}

/**
 * Adds a member of kind `person` with `scopes` to `room`; with `agent`, registers that agent for
 * it with client `human`, as the hub does for a browser.
 */
export async function addPerson(
  hub: TestHub,
  room: string,
  options: { label: string; scopes: Scope[]; agent?: string },
): Promise<Person> {
  const found = await hub.store.findRoom(room);
  if (!found) throw new Error(`no room ${room}`);
  const token = mintToken(cryptoRandom);
  const at = Date.now();
  const { member } = await hub.store.addMember({
    room_id: found.id,
    member: {
      id: `mem_${randomUUID().slice(0, 12)}`,
      label: options.label,
      kind: 'person',
      scopes: options.scopes,
      created_at: at,
    },
    token_digest: digestSecret(token),
    event: (m) => ({
      id: `ev_${randomUUID()}`,
      ts: at,
      actor: { member_id: m.id, label: m.label },
      type: 'member.joined',
      body: { member_id: m.id, label: m.label, scopes: m.scopes, kind: m.kind },
    }),
  });
  const api = createHubClient({ url: hub.url, token });
  if (options.agent) await api.registerAgent(room, { name: options.agent, client: 'human' });
  return { member, token, api };
}

/**
 * A room created by a machine whose HUDDLE_HOME is `home` (as `huddle create` does), the
 * machine's member straight to the hub, and alice: a person who may approve, with her agent.
 */
export async function roomWithApprover(
  hub: TestHub,
  room: string,
  home: string,
  label = 'laptop',
): Promise<{ api: HubClient; alice: Person }> {
  await huddleOk(['create', room, '--label', label], { home, url: hub.url });
  const { token } = openCredentials(home).get(hub.url, room)!;
  const alice = await addPerson(hub, room, {
    label: 'alice-phone',
    scopes: ['read', 'write', 'approve'],
    agent: 'alice',
  });
  return { api: createHubClient({ url: hub.url, token }), alice };
}

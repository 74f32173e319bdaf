// Making a room with its first member, and new members: shared by creating a room and by a
// local join, which creates the room it names when missing.

import type { JoinResponse } from '../api-types.js';
import { HuddleError } from '../errors.js';
import { assertLabel } from '../limits.js';
import { addOwnerMember } from './owner-member.js';
import { assertRoomName, generateRoomName } from '../rooms/names.js';
import { randomId } from '../random.js';
import { digestSecret, mintToken } from './tokens.js';
import type { Scope } from '../types.js';
import type { HubContext } from '../hub-context.js';

export function createRoomCreation(ctx: HubContext) {
  const { store, clock, random, draft, announce } = ctx;
  const ownerMember = (roomId: string, input: Parameters<typeof addOwnerMember>[2]) =>
    addOwnerMember(ctx, roomId, input);

  function newMember(label: string) {
    return { id: randomId(random, 'mem', 12), label, created_at: clock.now() };
  }

  /** Creates a room whose first member (an admin) is the caller; a name is drawn when none is given. */
  async function create(wanted: string | undefined, label: string): Promise<JoinResponse> {
    assertLabel(label);
    if (wanted !== undefined) assertRoomName(wanted);
    const token = mintToken(random);
    const member = { ...newMember(label), scopes: ['admin'] as Scope[] };
    // A generated name may collide; draw again a few times before giving up.
    for (let attempt = 0; ; attempt++) {
      const name = wanted ?? generateRoomName(random);
      try {
        const created = await store.createRoom({
          room: { id: randomId(random, 'room'), name, created_at: member.created_at },
          member,
          token_digest: digestSecret(token),
          event: {
            ...draft({ member_id: member.id, label: member.label }, 'room.created', { name }),
            ts: member.created_at,
          },
        });
        announce(created.event, created.room.id);
        return { room: created.room, member: created.member, token };
      } catch (err) {
        const retry = wanted === undefined && attempt < 5;
        if (!(retry && err instanceof HuddleError && err.code === 'room_exists')) throw err;
      }
    }
  }

  return { ownerMember, newMember, create };
}

// A member that the hub's owner adds on its own machine, without a pair code: an admin, with its
// first token, announced as `member.joined` with how it came (`via`).

import type { JoinResponse } from '../api-types.js';
import type { HubContext } from '../hub-context.js';
import { randomId } from '../random.js';
import { digestSecret, mintToken } from './tokens.js';
import type { MemberKind } from '../types.js';

export async function addOwnerMember(
  ctx: HubContext,
  roomId: string,
  input: { label: string; kind: MemberKind; via: 'local' | 'browser' },
): Promise<JoinResponse> {
  const { store, random, clock, draft, announce } = ctx;
  const token = mintToken(random);
  const joined = await store.addMember({
    room_id: roomId,
    member: {
      id: randomId(random, 'mem', 12),
      label: input.label,
      kind: input.kind,
      scopes: ['admin'],
      created_at: clock.now(),
    },
    token_digest: digestSecret(token),
    event: (m) =>
      draft({ member_id: m.id, label: m.label }, 'member.joined', {
        member_id: m.id,
        label: m.label,
        scopes: m.scopes,
        via: input.via,
      }),
  });
  announce(joined.event, roomId);
  return { room: joined.room, member: joined.member, token };
}

// huddle revoke: revokes a member (by id or label) and every token it holds.

import type { Run } from '../registry.js';
import { CliError } from '../cli-error.js';

export const run: Run = async (ctx, [room, who]) => {
  const { client, credential } = ctx.forRoom(room!);
  const { members } = await client.members(room!);
  const live = members.filter((m) => !m.revoked_at);
  let target = members.find((m) => m.id === who);
  if (!target) {
    const byLabel = live.filter((m) => m.label === who);
    if (byLabel.length > 1) {
      throw new CliError(
        `Several members are labelled "${who}": ${byLabel.map((m) => m.id).join(', ')}. Revoke one by its id.`,
      );
    }
    target = byLabel[0];
  }
  if (!target) {
    throw new CliError(
      `No member "${who}" in ${room}. Members: ${live.map((m) => `${m.label} (${m.id})`).join(', ')}.`,
    );
  }
  const { event } = await client.revoke(room!, target.id);
  if (target.id === credential.member_id) ctx.credentials.remove(ctx.config.url, room!);
  ctx.print(
    event,
    () => `Revoked ${target.label} (${target.id}) in ${room}; its tokens no longer work.\n`,
  );
};

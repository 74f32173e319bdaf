// huddle activity: what happened in the room, one line per event, filtered by type, actor, time.

import type { Run } from '../registry.js';
import { intFlag, stringFlag } from '../flags.js';
import { renderActivity } from '../../core/rooms/activity-text.js';
import { repeatedList } from './option-values.js';

export const run: Run = async (ctx, [room], flags) => {
  const { client } = ctx.forRoom(room!);
  const after = intFlag(flags, 'after');
  const limit = intFlag(flags, 'limit');
  const types = repeatedList(flags, 'type');
  const since = stringFlag(flags, 'since');
  const actor = stringFlag(flags, 'actor');
  const answer = await client.activity(room!, {
    ...(after !== undefined && { after }),
    ...(limit !== undefined && { limit }),
    ...(types !== undefined && { types }),
    ...(since !== undefined && { since }),
    ...(actor !== undefined && { actor }),
  });
  ctx.print(answer, () => {
    if (answer.events.length === 0) return 'No activity.\n';
    const lines = answer.events.map((e) => renderActivity(e) + '\n').join('');
    return answer.has_more
      ? `${lines}More events follow: add --after ${answer.next_after}.\n`
      : lines;
  });
};

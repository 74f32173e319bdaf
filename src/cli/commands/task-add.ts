// huddle task add: a new task on the board, blocked until its dependencies are done.

import type { Run } from '../registry.js';
import { stringFlag } from '../flags.js';
import { repeatedList, textOption } from './option-values.js';
import { taskSentence } from './task-sentence.js';

export const run: Run = async (ctx, [room, ...words], flags) => {
  const { client, credential } = ctx.forRoom(room!);
  const agent = ctx.agentFor(room!, credential);
  const description = await textOption(ctx.io, flags, 'description');
  const dependsOn = repeatedList(flags, 'depends-on');
  const priority = stringFlag(flags, 'priority');
  const assignee = stringFlag(flags, 'assignee');
  const answer = await client.addTask(room!, agent, {
    title: words.join(' '),
    ...(description !== undefined && { description }),
    ...(priority !== undefined && { priority }),
    ...(dependsOn !== undefined && { depends_on: dependsOn }),
    ...(assignee !== undefined && { assignee }),
  });
  const { task } = answer;
  const waits = task.status === 'blocked' ? ` (waits on ${task.depends_on.join(', ')})` : '';
  ctx.print(answer, () => taskSentence('Added', task, waits));
};

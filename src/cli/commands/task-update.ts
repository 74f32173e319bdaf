// huddle task update: changes a task's title, priority, dependencies or description.

import type { Run } from '../registry.js';
import { usageError } from '../cli-error.js';
import { stringFlag } from '../flags.js';
import { overrideAside } from '../../core/overrides.js';
import { repeatedList, textOption } from './option-values.js';
import { taskSentence } from './task-sentence.js';

export const run: Run = async (ctx, [room, id], flags) => {
  const title = stringFlag(flags, 'title');
  const priority = stringFlag(flags, 'priority');
  const dependsOn = repeatedList(flags, 'depends-on');
  const description = await textOption(ctx.io, flags, 'description');
  if ([title, priority, dependsOn, description].every((v) => v === undefined))
    throw usageError('Give at least one of --title, --priority, --depends-on, --description.');
  const { client, credential } = ctx.forRoom(room!);
  const agent = ctx.agentFor(room!, credential);
  const answer = await client.updateTask(room!, agent, id!, {
    ...(title !== undefined && { title }),
    ...(priority !== undefined && { priority }),
    ...(dependsOn !== undefined && { depends_on: dependsOn }),
    ...(description !== undefined && { description }),
    ...(flags.force === true && { force: true }),
  });
  ctx.print(answer, () => taskSentence('Updated', answer.task, overrideAside(answer.event)));
};

// huddle task handoff: gives a claimed task to another agent, who is sent a handoff message.

import type { Run } from '../registry.js';
import { overrideAside } from '../../core/overrides.js';
import { textOption } from './option-values.js';
import { taskSentence } from './task-sentence.js';

export const run: Run = async (ctx, [room, id, to], flags) => {
  const { client, credential } = ctx.forRoom(room!);
  const agent = ctx.agentFor(room!, credential);
  const note = await textOption(ctx.io, flags, 'note');
  const answer = await client.handoffTask(room!, agent, id!, to!, note, flags.force === true);
  const aside = ` to ${to}${overrideAside(answer.event)}`;
  ctx.print(answer, () => taskSentence('Handed', answer.task, aside));
};

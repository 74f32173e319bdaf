// huddle task claim|unclaim|start|done|cancel: one step of a task, taken by one of this
// machine's agents; done also says which tasks it unblocked.

import type { Run } from '../registry.js';
import { overrideAside } from '../../core/overrides.js';
import { textOption } from './option-values.js';
import { taskSentence } from './task-sentence.js';

type Step = 'claim' | 'unclaim' | 'start' | 'done' | 'cancel';

const VERB: Record<Step, string> = {
  claim: 'Claimed',
  unclaim: 'Unclaimed',
  start: 'Started',
  done: 'Finished',
  cancel: 'Cancelled',
};

export function stepCommand(step: Step): Run {
  return async (ctx, [room, id], flags) => {
    const { client, credential } = ctx.forRoom(room!);
    const agent = ctx.agentFor(room!, credential);
    const result = await textOption(ctx.io, flags, 'result');
    const force = flags.force === true;
    const answer = await client.taskStep(room!, agent, id!, step, result, force);
    const unblocked = answer.unblocked ?? [];
    // No event: the agent already held the task in that state (a second claim or start).
    const verb = answer.event ? VERB[step] : `Already ${VERB[step].toLowerCase()}`;
    ctx.print(
      answer,
      () =>
        taskSentence(verb, answer.task, overrideAside(answer.event)) +
        (unblocked.length ? `Unblocked: ${unblocked.map((t) => t.id).join(', ')}.\n` : ''),
    );
  };
}

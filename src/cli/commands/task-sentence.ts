// One sentence about a task for the task commands' output: `Claimed T-4k2p: Fix auth.`

import type { Task } from '../../core/types.js';

/** `${verb} ${id}${aside}: ${title}.`, without a second stop after a title that has one. */
export function taskSentence(verb: string, task: Task, aside = ''): string {
  const stop = /[.!?]$/.test(task.title) ? '' : '.';
  return `${verb} ${task.id}${aside}: ${task.title}${stop}\n`;
}

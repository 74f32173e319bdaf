// huddle task: the task board's subcommands, each in its own file and loaded only when it runs.

import { subcommands } from './subcommands.js';

const step = (name: 'claim' | 'unclaim' | 'start' | 'done' | 'cancel') => async () => ({
  run: (await import('./task-step.js')).stepCommand(name),
});

export const run = subcommands('task', {
  add: {
    min: 2,
    max: Infinity,
    options: ['priority', 'depends-on', 'description', 'assignee'],
    load: () => import('./task-add.js'),
  },
  claim: { min: 2, max: 2, options: [], load: step('claim') },
  unclaim: { min: 2, max: 2, options: ['force'], load: step('unclaim') },
  start: { min: 2, max: 2, options: [], load: step('start') },
  done: { min: 2, max: 2, options: ['result', 'force'], load: step('done') },
  cancel: { min: 2, max: 2, options: ['result', 'force'], load: step('cancel') },
  handoff: {
    min: 3,
    max: 3,
    options: ['note', 'force'],
    load: () => import('./task-handoff.js'),
  },
  update: {
    min: 2,
    max: 2,
    options: ['title', 'priority', 'depends-on', 'description', 'force'],
    load: () => import('./task-update.js'),
  },
  show: { min: 2, max: 2, options: [], load: () => import('./task-show.js') },
  plan: { min: 2, max: 2, options: [], load: () => import('./task-plan.js') },
});

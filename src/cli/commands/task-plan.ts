// huddle task plan: many tasks at once from a JSON file (or standard input), all or nothing;
// `ref` names a task of the plan for the others' `depends_on`.

import { readFile } from 'node:fs/promises';
import type { PlanItem } from '../../core/api-types.js';
import { renderTaskLine } from '../../core/tasks/task-board.js';
import type { CliIO } from '../context.js';
import type { Run } from '../registry.js';
import { CliError } from '../cli-error.js';

/** The plan's tasks: a JSON array of tasks, or an object with a `tasks` array. */
async function readPlan(io: CliIO, source: string): Promise<PlanItem[]> {
  const name = source === '-' ? 'standard input' : source;
  let text: string;
  try {
    text = source === '-' ? await io.readStdin() : await readFile(source, 'utf8');
  } catch (err) {
    throw new CliError(
      `Cannot read the plan ${name}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new CliError(`The plan in ${name} is not valid JSON: ${(err as Error).message}.`);
  }
  const tasks = Array.isArray(data) ? data : (data as { tasks?: unknown } | null)?.tasks;
  if (!Array.isArray(tasks) || !tasks.every((t) => t !== null && typeof t === 'object'))
    throw new CliError(
      `The plan in ${name} must be an array of tasks or {"tasks": [...]}, each like {"ref": "api", "title": "...", "depends_on": ["..."]}.`,
    );
  return tasks as PlanItem[];
}

export const run: Run = async (ctx, [room, source]) => {
  const tasks = await readPlan(ctx.io, source!);
  const { client, credential } = ctx.forRoom(room!);
  const agent = ctx.agentFor(room!, credential);
  const answer = await client.planTasks(room!, agent, tasks);
  const refs = Object.entries(answer.refs).map(([ref, id]) => `${ref}=${id}`);
  ctx.print(
    answer,
    () =>
      [
        `Planned ${answer.tasks.length} task${answer.tasks.length === 1 ? '' : 's'}:`,
        ...answer.tasks.map(renderTaskLine),
        ...(refs.length ? [`Refs: ${refs.join(', ')}.`] : []),
      ].join('\n') + '\n',
  );
};

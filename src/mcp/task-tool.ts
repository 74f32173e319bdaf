// The "tasks" tool: the room's task board in one tool with an op, answering in one line per task
// (`[T-4k2p] CLAIMED [HIGH] Fix auth (backend)`) or one sentence per step.

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { renderBoard, renderTaskLine } from '../core/tasks/task-board.js';
import { TASK_PRIORITIES, type Task } from '../core/types.js';
import type { AgentSession, TaskStep } from './agent-session.js';
import { escapeAngles } from '../core/messaging/framing.js';
import { overrideAside } from '../core/overrides.js';
import { guard, invalidArgs, ok } from './tool-result.js';

/** What the `tasks` tool's `op` argument may be. */
export const TASK_OPS = [
  'board',
  'ready',
  'get',
  'add',
  'plan',
  'claim',
  'unclaim',
  'start',
  'done',
  'cancel',
  'update',
  'handoff',
] as const;

/** The ops that change a task someone may hold, so an admin may force them. */
const FORCE_OPS: readonly string[] = ['unclaim', 'done', 'cancel', 'update', 'handoff'];

const VERB: Record<TaskStep, string> = {
  claim: 'Claimed',
  unclaim: 'Unclaimed',
  start: 'Started',
  done: 'Finished',
  cancel: 'Cancelled',
};

const priority = z.enum(TASK_PRIORITIES).optional();

/** `Claimed T-4k2p: Fix auth.`, escaped, without a second stop after a title that has one. */
function sentence(verb: string, task: Task, aside = ''): string {
  const stop = /[.!?]$/.test(task.title) ? '' : '.';
  return escapeAngles(`${verb} ${task.id}${aside}: ${task.title}${stop}`);
}

const lines = (tasks: Task[]) => escapeAngles(tasks.map(renderTaskLine).join('\n'));

export function registerTaskTool(server: McpServer, session: AgentSession): void {
  server.registerTool(
    'tasks',
    {
      description:
        'The task board. op board (default; status "all" adds closed ones), ready (claimable now), add (title...), plan (tasks; depends_on may name refs), and with id: get, claim, unclaim, start, done (result), cancel, update, handoff (to, note). Claim a task before working on it.',
      inputSchema: {
        op: z.enum(TASK_OPS).optional(),
        id: z.string().optional(),
        title: z.string().optional(),
        description: z.string().optional(),
        priority,
        depends_on: z.array(z.string()).optional(),
        assignee: z.string().optional(),
        result: z.string().optional(),
        to: z.string().optional(),
        note: z.string().optional(),
        status: z.string().optional().describe('board: "all" or a list like "open,claimed"'),
        force: z.boolean().optional().describe("admin only: override another agent's hold"),
        tasks: z
          .array(
            z.object({
              ref: z.string().optional(),
              title: z.string(),
              description: z.string().optional(),
              priority,
              depends_on: z.array(z.string()).optional(),
              assignee: z.string().optional(),
            }),
          )
          .optional(),
      },
    },
    guard(async (args) => {
      const { op = 'board', id, title, description, depends_on, assignee, force } = args;
      if (force && !FORCE_OPS.includes(op))
        throw invalidArgs(
          `force is for ${FORCE_OPS.join(', ')}; to take over a held task, hand it off (to yourself too) with force.`,
        );
      const fields = {
        ...(description !== undefined && { description }),
        ...(args.priority && { priority: args.priority }),
        ...(depends_on && { depends_on }),
      };
      switch (op) {
        case 'board': {
          const { tasks } = await session.tasks({
            ...(args.status && { status: args.status.split(',').map((s) => s.trim()) }),
            ...(assignee !== undefined && { assignee }),
          });
          return ok(escapeAngles(renderBoard(tasks)), { tasks });
        }
        case 'ready': {
          const { tasks } = await session.tasks({ ready: true });
          const none = 'Nothing is ready: every open task is claimed or blocked (see op board).';
          return ok(lines(tasks) || none, { tasks });
        }
        case 'add': {
          if (title === undefined) throw invalidArgs('op add needs title.');
          const added = await session.addTask({
            title,
            ...fields,
            ...(assignee !== undefined && { assignee }),
          });
          return ok(`Added ${lines([added.task])}`, { ...added });
        }
        case 'plan': {
          if (!args.tasks?.length)
            throw invalidArgs('op plan needs tasks: [{ref?, title, depends_on?...}].');
          const plan = await session.planTasks(args.tasks);
          const refOf = new Map(Object.entries(plan.refs).map(([ref, tid]) => [tid, ref]));
          const text = plan.tasks
            .map((t) =>
              escapeAngles(
                `${renderTaskLine(t)}${refOf.has(t.id) ? ` (ref ${refOf.get(t.id)})` : ''}`,
              ),
            )
            .join('\n');
          const n = plan.tasks.length;
          return ok(`Planned ${n} task${n === 1 ? '' : 's'}:\n${text}`, { ...plan });
        }
      }
      if (id === undefined) throw invalidArgs(`op ${op} needs id (a task id like T-4k2p).`);
      switch (op) {
        case 'get': {
          const { task } = await session.task(id);
          const text = [
            renderTaskLine(task),
            task.description,
            task.result === null ? '' : `Result: ${task.result}`,
          ];
          return ok(escapeAngles(text.filter(Boolean).join('\n\n')), { task });
        }
        case 'update': {
          if (title === undefined && Object.keys(fields).length === 0)
            throw invalidArgs('op update needs title, description, priority or depends_on.');
          const updated = await session.updateTask(id, {
            ...(title !== undefined && { title }),
            ...fields,
            ...(force && { force }),
          });
          return ok(sentence('Updated', updated.task, overrideAside(updated.event)), {
            ...updated,
          });
        }
        case 'handoff': {
          if (args.to === undefined) throw invalidArgs('op handoff needs to (an agent name).');
          const handed = await session.handoffTask(id, args.to, args.note, force);
          const aside = ` to ${args.to}${overrideAside(handed.event)}`;
          return ok(sentence('Handed', handed.task, aside), { ...handed });
        }
        default: {
          const step = await session.taskStep(id, op, args.result, force);
          // No event: the agent already held the task in that state (a second claim or start).
          const verb = step.event ? VERB[op] : `Already ${VERB[op].toLowerCase()}`;
          const freed = step.unblocked ?? [];
          const unblocked = freed.length ? `\nUnblocked:\n${lines(freed)}` : '';
          return ok(sentence(verb, step.task, overrideAside(step.event)) + unblocked, { ...step });
        }
      }
    }),
  );
}

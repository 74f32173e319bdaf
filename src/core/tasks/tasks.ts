// The task board's use-cases: add, plan, claim, start, done, cancel, unclaim, hand off, update,
// and the board and ready views. Each change is one transaction and one `task.*` event.

import type { PlanItem, TaskFields, TaskResponse, TaskUpdate } from '../api-types.js';
import { HuddleError } from '../errors.js';
import type { HubContext, Principal } from '../hub-context.js';
import { assertAgentName } from '../presence/agent-input.js';
import { assertTextSize } from '../limits.js';
import { createNotices } from '../messaging/notices.js';
import { assertForceAllowed, overrideBy, overrideNotice, type Override } from '../overrides.js';
import { closestNames } from '../suggest.js';
import type { TaskBoard, TaskChange } from '../store.js';
import {
  DESCRIPTION_MAX_BYTES,
  PLAN_MAX_TASKS,
  assertDependencies,
  assertDescription,
  assertHolder,
  assertNotClosed,
  assertResult,
  assertTaskId,
  assertTitle,
  blockedError,
  byPriority,
  heldByOther,
  invalidTask,
  newTaskId,
  parseDependsOn,
  parsePriority,
  taskNotFound,
  unblockedBy,
  unfinished,
  waitingStatus,
} from './task-rules.js';
import {
  TASK_STATUSES,
  type Agent,
  type Message,
  type Room,
  type RoomEvent,
  type Task,
} from '../types.js';
import type { Call, RoomCall } from '../call.js';

/** The `override` of a task event: an admin's agent changed a task another agent held. */
export interface TaskOverride extends Override {
  /** The agent that held the task. */
  holder: string;
}

/** What the holder of a task is told when an admin overrides them. */
interface HolderNotice {
  override: TaskOverride;
  body: string;
}

type Step = 'claim' | 'unclaim' | 'start' | 'done' | 'cancel';
const DID: Record<Exclude<Step, 'claim' | 'start'>, string> = {
  unclaim: 'unclaimed',
  done: 'finished',
  cancel: 'cancelled',
};
const ID_ATTEMPTS = 8;

/** Finishing or cancelling a task: which, with what result, and an admin's override. */
export interface TaskStepInput {
  id: string;
  result?: string | undefined;
  force?: boolean | undefined;
}

export function createTasks(ctx: HubContext) {
  const { store, clock, draft, announce, actorOf, idempotency, enter, enterWrite, actingAgent } =
    ctx;
  const { notify } = createNotices(ctx);

  /** A live agent of the room named in the request (an assignee, a handoff target). */
  async function liveAgent(room: Room, name: string, field: string): Promise<Agent> {
    assertAgentName(name, field);
    const agent = await store.getAgent(room.id, name);
    if (agent && agent.status !== 'retired') return agent;
    const names = (await store.listAgents(room.id))
      .filter((a) => a.status !== 'retired')
      .map((a) => a.name);
    throw new HuddleError(
      'not_found',
      'agent_not_found',
      `No agent "${name}" in room "${room.name}"${agent ? ' (it is retired)' : ''}. List agents with "huddle who ${room.name}".`,
      { details: { field, agent: name, suggestions: closestNames(name, names) } },
    );
  }

  /**
   * Runs one change for `agentName` (one of the caller's agents): the board is read and written
   * in one store transaction; a replayed idempotency key answers with the first result.
   */
  async function change<T>(
    p: Principal,
    roomName: string,
    agentName: string,
    op: string,
    input: unknown,
    key: string | undefined,
    include: string[],
    fn: (board: TaskBoard, ctx: { agent: Agent; room: Room; at: string }) => TaskChange<T>,
    /** Checks that need the room (agents named in the input); skipped when replaying. */
    prepare?: (room: Room) => Promise<void>,
  ): Promise<{ result: T; event: RoomEvent | null; room: Room; agent: Agent; replayed: boolean }> {
    const idem = idempotency(p, key, `task.${op}`, { agent: agentName, input });
    const { room, replay } = await enterWrite(p, roomName, 'write', idem);
    const agent = await actingAgent(p, room, agentName);
    if (replay && 'result' in replay) {
      const first = replay.result as { result: T; event: RoomEvent | null };
      return { ...first, room, agent, replayed: true };
    }
    await prepare?.(room);
    for (let attempt = 1; ; attempt++) {
      try {
        const at = new Date(clock.now()).toISOString();
        const done = await store.changeTasks(
          room.id,
          include,
          (board) => fn(board, { agent, room, at }),
          idem,
        );
        if (done.event) announce(done.event, room.id);
        return { ...done, room, agent, replayed: false };
      } catch (err) {
        // A drawn id may be taken; draw again.
        if (err instanceof HuddleError && err.code === 'task_id_taken' && attempt < ID_ATTEMPTS)
          continue;
        throw err;
      }
    }
  }

  const event = (p: Principal, type: string, body: Record<string, unknown>) =>
    draft(actorOf(p), type, body);

  function found(board: TaskBoard, id: string, room: Room): Task {
    const task = board.tasks.get(id);
    if (!task) throw taskNotFound(id, room.name);
    return task;
  }

  /** Builds a new task from input already checked, with its status from its dependencies. */
  function buildTask(
    board: TaskBoard,
    id: string,
    input: TaskFields,
    dependsOn: string[],
    createdBy: string,
    at: string,
  ): Task {
    const assignee = input.assignee ?? null;
    return {
      id,
      title: assertTitle(input.title),
      description: assertDescription(input.description ?? ''),
      status: waitingStatus(board, dependsOn, assignee),
      priority: parsePriority(input.priority),
      assignee,
      depends_on: dependsOn,
      result: null,
      created_by: createdBy,
      created_at: at,
      updated_at: at,
      closed_at: null,
    };
  }

  /** Tells the creators and advance assignees of unblocked tasks, from the agent that freed them. */
  async function tellUnblocked(p: Principal, room: Room, from: string, done: Task, freed: Task[]) {
    const messages: Array<Message | null> = [];
    for (const task of freed) {
      const body = `${task.id} "${task.title}" is ${task.status === 'claimed' ? `ready for ${task.assignee}` : 'open'}: ${done.id} "${done.title}" is done, its last unfinished dependency.`;
      messages.push(await notify(p, room, from, [task.created_by, task.assignee], 'task', body));
    }
    return messages.find((m) => m !== null) ?? null;
  }

  /** The override of `holder`'s hold on `task` by `me`, and what the holder is told about it. */
  function holderNotice(
    p: Principal,
    me: string,
    holder: string,
    task: Task,
    did: string,
    next = 'It is no longer yours: stop work on it.',
  ): HolderNotice {
    const override: TaskOverride = { ...overrideBy(p, me), holder };
    const what = `${task.id} "${task.title}" was yours, and ${me} ${did}`;
    return { override, body: overrideNotice(override, what, next) };
  }

  /** Tells the holder whose hold an admin overrode (a `task` message from the acting agent). */
  async function tellHolder(p: Principal, room: Room, notice: HolderNotice): Promise<void> {
    const { override, body } = notice;
    await notify(p, room, override.by, [override.holder], 'task', body);
  }

  async function step(
    p: Principal,
    roomName: string,
    agentName: string,
    id: string,
    what: Step,
    input: { result?: string | undefined; force?: boolean | undefined } = {},
    key?: string,
  ): Promise<TaskResponse> {
    assertTaskId(id);
    assertForceAllowed(p, input.force);
    const force = input.force === true;
    if (input.result !== undefined) {
      if (what !== 'done' && what !== 'cancel') {
        throw invalidTask('invalid_request', 'Only done and cancel take a result.', {
          field: 'result',
        });
      }
      assertResult(input.result);
    }
    const {
      result,
      event: appended,
      room,
      agent,
      replayed,
    } = await change<{
      task: Task;
      unblocked?: Task[];
      stranded?: Task[];
      notice?: HolderNotice | null;
    }>(
      p,
      roomName,
      agentName,
      what,
      // `force` is part of the request, so a key reused with or without it is a different one.
      { id, result: input.result, ...(force && { force }) },
      key,
      [id],
      (board, { agent, room, at }) => {
        const task = found(board, id, room);
        assertNotClosed(task);
        const me = agent.name;
        const waitingOn = unfinished(board, task.depends_on);
        let next: Task;
        let unblocked: Task[] = [];
        let holder: string | null = null;
        switch (what) {
          case 'claim':
          case 'start': {
            if (task.status === 'blocked') throw blockedError(task, waitingOn);
            const mine = task.assignee === me;
            // Even an admin does not take a task over by claiming it: it is handed off.
            if (!mine && task.assignee !== null) throw heldByOther(task);
            const status = what === 'start' ? 'in_progress' : mine ? task.status : 'claimed';
            if (mine && status === task.status)
              return { write: [], created: [], event: null, result: { task } };
            next = { ...task, assignee: me, status, updated_at: at };
            break;
          }
          case 'unclaim': {
            if (task.assignee === null) {
              throw new HuddleError('conflict', 'task_not_claimed', `${task.id} is not claimed.`, {
                details: { id: task.id, status: task.status },
              });
            }
            holder = assertHolder(task, me, force);
            next = {
              ...task,
              assignee: null,
              status: task.status === 'blocked' ? 'blocked' : 'open',
              updated_at: at,
            };
            break;
          }
          case 'done': {
            if (task.status === 'blocked') throw blockedError(task, waitingOn);
            holder = assertHolder(task, me, force);
            next = {
              ...task,
              assignee: task.assignee ?? me,
              status: 'done',
              result: input.result ?? task.result,
              updated_at: at,
              closed_at: at,
            };
            board.tasks.set(id, next);
            unblocked = unblockedBy(board, id, at);
            break;
          }
          case 'cancel': {
            holder = assertHolder(task, me, force);
            next = {
              ...task,
              status: 'cancelled',
              result: input.result ?? task.result,
              updated_at: at,
              closed_at: at,
            };
            break;
          }
        }
        const type = {
          claim: 'task.claimed',
          unclaim: 'task.unclaimed',
          start: 'task.started',
          done: 'task.done',
          cancel: 'task.cancelled',
        }[what];
        const stranded =
          what === 'cancel'
            ? [...board.tasks.values()].filter(
                (t) => t.depends_on.includes(id) && t.status === 'blocked',
              )
            : [];
        const notice =
          holder === null || what === 'claim' || what === 'start'
            ? null
            : holderNotice(p, me, holder, task, `${DID[what]} it`);
        return {
          write: [next, ...unblocked],
          created: [],
          event: event(p, type, {
            agent: me,
            task: next,
            ...(what === 'done' && { unblocked }),
            ...(what === 'cancel' && { stranded: stranded.map((t) => t.id) }),
            ...(notice && { override: notice.override }),
          }),
          result: { task: next, unblocked, stranded, notice },
        };
      },
    );
    const out: TaskResponse = { task: result.task, event: appended };
    const unblocked = result.unblocked ?? [];
    const stranded = result.stranded ?? [];
    if (what === 'done') out.unblocked = unblocked;
    if (!replayed && result.notice) await tellHolder(p, room, result.notice);
    if (!replayed && unblocked.length > 0)
      out.message = await tellUnblocked(p, room, agent.name, result.task, unblocked);
    if (!replayed && stranded.length > 0) {
      for (const t of stranded) {
        await notify(
          p,
          room,
          agent.name,
          [t.created_by, t.assignee],
          'task',
          `${id} "${result.task.title}" was cancelled, and ${t.id} "${t.title}" depends on it: it stays blocked. Change its dependencies or cancel it.`,
        );
      }
    }
    return out;
  }

  /** A change's result with its event, once the holder an admin overrode (if any) is told. */
  async function withEvent<T extends TaskResponse>(
    p: Principal,
    promise: Promise<{
      result: T & { notice?: HolderNotice | null };
      event: RoomEvent | null;
      room: Room;
      replayed: boolean;
    }>,
  ): Promise<T> {
    const { result, event: e, room, replayed } = await promise;
    const { notice, ...rest } = result;
    if (!replayed && notice) await tellHolder(p, room, notice);
    return { ...rest, event: e } as T;
  }

  return {
    async addTask(call: Call, input: TaskFields): Promise<TaskResponse> {
      const { principal: p, room: roomName, agent: agentName, key } = call;
      const dependsOn = parseDependsOn(input.depends_on);
      return withEvent(
        p,
        change(
          p,
          roomName,
          agentName,
          'add',
          input,
          key,
          dependsOn,
          (board, { agent, room, at }) => {
            const id = newTaskId(ctx.random);
            assertDependencies(board, id, dependsOn, room.name);
            const task = buildTask(board, id, input, dependsOn, agent.name, at);
            return {
              write: [task],
              created: [id],
              event: event(p, 'task.created', { agent: agent.name, task }),
              result: { task, event: null },
            };
          },
          async (room) => {
            if (input.assignee !== undefined) await liveAgent(room, input.assignee, 'assignee');
          },
        ),
      );
    },

    /**
     * Creates many tasks at once, all or nothing. `depends_on` entries name other items of the
     * plan by `ref` or existing tasks by id.
     */
    async planTasks(
      call: Call,
      items: PlanItem[],
    ): Promise<{ tasks: Task[]; refs: Record<string, string>; event: RoomEvent | null }> {
      const { principal: p, room: roomName, agent: agentName, key } = call;
      if (items.length === 0 || items.length > PLAN_MAX_TASKS) {
        throw invalidTask('invalid_plan', `A plan has 1 to ${PLAN_MAX_TASKS} tasks.`, {
          field: 'tasks',
          limit: PLAN_MAX_TASKS,
        });
      }
      const refs = new Map<string, number>();
      items.forEach((item, i) => {
        if (item.ref === undefined) return;
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(item.ref) || /^T-/.test(item.ref)) {
          throw invalidTask(
            'invalid_ref',
            `tasks.${i}.ref must be 1 to 64 letters, digits, ".", "_" or "-", and not look like a task id.`,
            { field: `tasks.${i}.ref` },
          );
        }
        if (refs.has(item.ref)) {
          throw invalidTask('duplicate_ref', `tasks.${i}.ref "${item.ref}" is used twice.`, {
            field: `tasks.${i}.ref`,
          });
        }
        refs.set(item.ref, i);
      });
      // Check each item's own fields before anything is written, naming the item.
      const existing = new Set<string>();
      items.forEach((item, i) => {
        assertTitle(item.title, `tasks.${i}.title`);
        assertDescription(item.description ?? '', `tasks.${i}.description`);
        parsePriority(item.priority, `tasks.${i}.priority`);
        for (const dep of item.depends_on ?? []) {
          if (!refs.has(dep)) {
            parseDependsOn([dep], `tasks.${i}.depends_on`);
            existing.add(dep);
          }
        }
      });
      const { result, event: e } = await change(
        p,
        roomName,
        agentName,
        'plan',
        items,
        key,
        [...existing],
        (board, { agent, room, at }) => {
          const ids = items.map(() => newTaskId(ctx.random));
          if (new Set(ids).size !== ids.length)
            throw new HuddleError('conflict', 'task_id_taken', 'Drawn ids repeat.', {
              retryable: true,
            });
          const resolve = (dep: string) => (refs.has(dep) ? ids[refs.get(dep)!]! : dep);
          const deps = items.map((item, i) =>
            parseDependsOn((item.depends_on ?? []).map(resolve), `tasks.${i}.depends_on`),
          );
          // First every task on the board with its edges, then the checks, so refs may point forward.
          items.forEach((item, i) =>
            board.tasks.set(ids[i]!, {
              ...buildTask(board, ids[i]!, item, [], agent.name, at),
              depends_on: deps[i]!,
            }),
          );
          items.forEach((_, i) =>
            assertDependencies(board, ids[i]!, deps[i]!, room.name, `tasks.${i}.depends_on`),
          );
          const tasks = items.map((item, i) =>
            buildTask(board, ids[i]!, item, deps[i]!, agent.name, at),
          );
          const refIds = Object.fromEntries([...refs].map(([ref, i]) => [ref, ids[i]!]));
          return {
            write: tasks,
            created: ids,
            event: event(p, 'task.planned', { agent: agent.name, tasks, refs: refIds }),
            result: { tasks, refs: refIds },
          };
        },
        async (room) => {
          for (const [i, item] of items.entries()) {
            if (item.assignee !== undefined)
              await liveAgent(room, item.assignee, `tasks.${i}.assignee`);
          }
        },
      );
      return { ...result, event: e };
    },

    claimTask: (call: Call, input: { id: string }) =>
      step(call.principal, call.room, call.agent, input.id, 'claim', {}, call.key),
    unclaimTask: (call: Call, input: { id: string; force?: boolean | undefined }) =>
      step(
        call.principal,
        call.room,
        call.agent,
        input.id,
        'unclaim',
        { force: input.force },
        call.key,
      ),
    startTask: (call: Call, input: { id: string }) =>
      step(call.principal, call.room, call.agent, input.id, 'start', {}, call.key),
    finishTask: (call: Call, { id, ...input }: TaskStepInput) =>
      step(call.principal, call.room, call.agent, id, 'done', input, call.key),
    cancelTask: (call: Call, { id, ...input }: TaskStepInput) =>
      step(call.principal, call.room, call.agent, id, 'cancel', input, call.key),

    /**
     * The holder (or an admin, with `force`) gives a task to another agent, who is sent a
     * `handoff` message.
     */
    async handoffTask(
      call: Call,
      {
        id,
        ...input
      }: { id: string; to: string; note?: string | undefined; force?: boolean | undefined },
    ): Promise<TaskResponse> {
      const { principal: p, room: roomName, agent: agentName, key } = call;
      assertTaskId(id);
      if (input.note !== undefined) assertTextSize('note', input.note, DESCRIPTION_MAX_BYTES);
      assertForceAllowed(p, input.force);
      const force = input.force === true;
      const {
        result,
        event: e,
        room,
        agent,
        replayed,
      } = await change(
        p,
        roomName,
        agentName,
        'handoff',
        { id, to: input.to, note: input.note, ...(force && { force }) },
        key,
        [id],
        (board, { agent, room, at }) => {
          const task = found(board, id, room);
          assertNotClosed(task);
          if (task.assignee === null) {
            throw new HuddleError(
              'conflict',
              'task_not_claimed',
              `${task.id} is not claimed by anyone; ${input.to} can claim it, or assign it with a plan.`,
              { details: { id: task.id, status: task.status } },
            );
          }
          const holder = assertHolder(task, agent.name, force);
          const status = task.status === 'blocked' ? 'blocked' : 'claimed';
          const next: Task = { ...task, assignee: input.to, status, updated_at: at };
          const notice =
            holder === null
              ? null
              : holderNotice(p, agent.name, holder, task, `handed it to ${input.to}`);
          return {
            write: [next],
            created: [],
            event: event(p, 'task.handoff', {
              agent: agent.name,
              from: task.assignee,
              to: input.to,
              note: input.note ?? null,
              task: next,
              ...(notice && { override: notice.override }),
            }),
            result: { task: next, event: null, notice },
          };
        },
        async (room) => {
          await liveAgent(room, input.to, 'to');
        },
      );
      const task = result.task;
      const body = [
        `Handing ${task.id} "${task.title}" to you (${task.status === 'blocked' ? 'blocked until its dependencies are done' : 'claimed for you; start it when you begin'}).`,
        input.note ?? '',
      ]
        .filter(Boolean)
        .join('\n\n');
      if (!replayed && result.notice) await tellHolder(p, room, result.notice);
      const message = replayed
        ? null
        : await notify(p, room, agent.name, [input.to], 'handoff', body);
      return { task, event: e, message };
    },

    /**
     * Changes a task's title, description, priority or dependencies: its holder's, or with
     * `force` (an admin) another agent's.
     */
    async updateTask(
      call: Call,
      { id, force: forced, ...input }: TaskUpdate & { id: string; force?: boolean | undefined },
    ): Promise<TaskResponse> {
      const { principal: p, room: roomName, agent: agentName, key } = call;
      assertTaskId(id);
      const fields = Object.keys(input).filter((k) => input[k as keyof TaskUpdate] !== undefined);
      if (fields.length === 0) {
        throw invalidTask(
          'empty_update',
          'Give at least one of title, description, priority, depends_on.',
          {
            field: '(body)',
          },
        );
      }
      const title = input.title === undefined ? undefined : assertTitle(input.title);
      if (input.description !== undefined) assertDescription(input.description);
      const priority = input.priority === undefined ? undefined : parsePriority(input.priority);
      const dependsOn =
        input.depends_on === undefined ? undefined : parseDependsOn(input.depends_on);
      assertForceAllowed(p, forced);
      const force = forced === true;
      return withEvent(
        p,
        change(
          p,
          roomName,
          agentName,
          'update',
          { id, ...input, ...(force && { force }) },
          key,
          [id, ...(dependsOn ?? [])],
          (board, { agent, room, at }) => {
            const task = found(board, id, room);
            assertNotClosed(task);
            const holder = assertHolder(task, agent.name, force);
            let status = task.status;
            if (dependsOn !== undefined) {
              assertDependencies(board, id, dependsOn, room.name);
              if (status !== 'in_progress' || unfinished(board, dependsOn).length > 0)
                status = waitingStatus(board, dependsOn, task.assignee);
            }
            const next: Task = {
              ...task,
              ...(title !== undefined && { title }),
              ...(input.description !== undefined && { description: input.description }),
              ...(priority !== undefined && { priority }),
              ...(dependsOn !== undefined && { depends_on: dependsOn }),
              status,
              updated_at: at,
            };
            const notice =
              holder === null
                ? null
                : holderNotice(
                    p,
                    agent.name,
                    holder,
                    task,
                    `changed its ${fields.join(', ')}`,
                    'It is still yours: check the change before you go on.',
                  );
            return {
              write: [next],
              created: [],
              event: event(p, 'task.updated', {
                agent: agent.name,
                fields,
                task: next,
                ...(notice && { override: notice.override }),
              }),
              result: { task: next, event: null, notice },
            };
          },
        ),
      );
    },

    async getTask(call: RoomCall, id: string): Promise<{ task: Task }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      assertTaskId(id);
      const task = await store.getTask(room.id, id);
      if (!task) throw taskNotFound(id, room.name);
      return { task };
    },

    /**
     * The board: with `ready`, the open, unblocked, unassigned tasks, highest priority first,
     * then oldest; otherwise the tasks with the given statuses (default: all but closed ones).
     */
    async listTasks(
      call: RoomCall,
      filter: {
        ready?: boolean;
        statuses?: string[] | undefined;
        assignee?: string | undefined;
      } = {},
    ): Promise<{ tasks: Task[] }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      for (const s of filter.statuses ?? []) {
        if (!(TASK_STATUSES as readonly string[]).includes(s) && s !== 'all') {
          throw invalidTask(
            'invalid_status',
            `status must be one of ${TASK_STATUSES.join(', ')} or all.`,
            {
              field: 'status',
              allowed: [...TASK_STATUSES, 'all'],
            },
          );
        }
      }
      if (filter.assignee !== undefined) assertAgentName(filter.assignee, 'assignee');
      if (filter.ready) {
        const open = await store.listTasks(room.id, { statuses: ['open'] });
        return { tasks: open.filter((t) => t.assignee === null).sort(byPriority) };
      }
      const statuses = filter.statuses?.includes('all')
        ? undefined
        : ((filter.statuses?.length
            ? filter.statuses
            : ['open', 'blocked', 'claimed', 'in_progress']) as Task['status'][]);
      const tasks = await store.listTasks(room.id, {
        ...(statuses && { statuses }),
        ...(filter.assignee !== undefined && { assignee: filter.assignee }),
      });
      return { tasks };
    },
  };
}

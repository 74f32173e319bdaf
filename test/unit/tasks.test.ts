// The Hub's task board over SQLite in memory with a manual clock: add, plan, claim, the lifecycle, dependencies and the board text.

import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { Principal } from '../../src/core/hub.js';
import { renderBoard, renderTaskLine } from '../../src/core/tasks/task-board.js';
import type { TaskUpdate } from '../../src/core/api-types.js';
import type { Task } from '../../src/core/types.js';
import { refused, startRoomHub } from '../helpers/room-hub.js';

const ROOM = 'alpha';
const TASK_ID = /^T-[0-9a-hjkmnp-tv-z]{4}$/;

/** A member and the name of one of its agents. */
type As = [Principal, string];

async function setup(t: TestContext) {
  const { hub, clock, admin, member, events, head } = await startRoomHub(t, ROOM);
  async function agent(p: Principal, name: string): Promise<As> {
    await hub.presence.registerAgent({ principal: p, room: ROOM }, { name, client: 'claude-code' });
    return [p, name];
  }
  const alice = await agent(await member('machine-a'), 'alice');
  const bob = await agent(await member('machine-b'), 'bob');
  const carol = await agent(await member('machine-c'), 'carol');
  const boss = await agent(admin, 'boss');
  const [a, b] = [alice[0], bob[0]];
  const add = async (title: string, more: Record<string, unknown> = {}, [p, n] = alice) =>
    (await hub.tasks.addTask({ principal: p, room: ROOM, agent: n }, { title, ...more })).task;
  const claim = (id: string, [p, n] = alice) =>
    hub.tasks.claimTask({ principal: p, room: ROOM, agent: n }, { id });
  const start = (id: string, [p, n] = alice) =>
    hub.tasks.startTask({ principal: p, room: ROOM, agent: n }, { id });
  const unclaim = (id: string, [p, n] = alice) =>
    hub.tasks.unclaimTask({ principal: p, room: ROOM, agent: n }, { id });
  const finish = (id: string, result?: string, [p, n] = alice) =>
    hub.tasks.finishTask({ principal: p, room: ROOM, agent: n }, { id, result });
  const cancel = (id: string, result?: string, [p, n] = alice) =>
    hub.tasks.cancelTask({ principal: p, room: ROOM, agent: n }, { id, result });
  const update = (id: string, input: TaskUpdate, [p, n] = alice) =>
    hub.tasks.updateTask({ principal: p, room: ROOM, agent: n }, { id, ...input });
  const handoff = (id: string, to: string, note?: string, [p, n] = alice) =>
    hub.tasks.handoffTask({ principal: p, room: ROOM, agent: n }, { id, to, note });
  const get = async (id: string) =>
    (await hub.tasks.getTask({ principal: admin, room: ROOM }, id)).task;
  const list = async (filter: Parameters<typeof hub.tasks.listTasks>[1] = {}) =>
    (await hub.tasks.listTasks({ principal: admin, room: ROOM }, filter)).tasks.map((x) => x.id);
  const inbox = async ([p, n]: As) =>
    (await hub.messaging.peekInbox({ principal: p, room: ROOM, agent: n })).messages.map(
      (m) => m.message,
    );
  return {
    ...{ hub, clock, admin, member, agent, events, head, alice, bob, carol, boss, a, b },
    ...{ add, claim, start, unclaim, finish, cancel, update, handoff, get, list, inbox },
  };
}

describe('Hub tasks', () => {
  describe('addTask', () => {
    it('creates an open task, or a blocked one while a dependency is unfinished', async (t) => {
      const { add, get, events, head } = await setup(t);
      const before = await head();
      const first = await add('Write the parser');
      assert.deepEqual(
        [first.status, first.priority, first.assignee, first.created_by],
        ['open', 'medium', null, 'alice'],
      );
      const second = await add('Test the parser', { depends_on: [first.id], priority: 'high' });
      assert.deepEqual([second.status, second.depends_on], ['blocked', [first.id]]);
      assert.deepEqual(await get(second.id), second);
      const logged = (await events(before)).map((e) => [e.type, (e.body.task as Task).id]);
      assert.deepEqual(logged, [
        ['task.created', first.id],
        ['task.created', second.id],
      ]);
    });

    it('refuses bad input naming the field, and stores nothing', async (t) => {
      const { add, cancel, head } = await setup(t);
      const dropped = await add('Dropped');
      await cancel(dropped.id);
      const before = await head();
      const bad = (more: Record<string, unknown>, code: string, kind: string, title = 'x') =>
        refused(add(title, more), code, kind);
      const unknown = await bad({ depends_on: ['T-zzzz'] }, 'dependency_not_found', 'not_found');
      assert.equal(unknown.details.id, 'T-zzzz');
      const gone = await bad({ depends_on: [dropped.id] }, 'dependency_cancelled', 'conflict');
      assert.equal(gone.details.id, dropped.id);
      for (const title of ['', '   ', 'x'.repeat(201), 'two\nlines'])
        await bad({}, 'invalid_title', 'invalid', title);
      const description = 'd'.repeat(16 * 1024 + 1);
      const big = await bad({ description }, 'description_too_large', 'too_large');
      assert.equal(big.details.limit_bytes, 16 * 1024);
      const priority = await bad({ priority: 'urgent' }, 'invalid_priority', 'invalid');
      assert.deepEqual(priority.details.allowed, ['critical', 'high', 'medium', 'low']);
      assert.match(priority.message, /critical, high, medium, low/);
      assert.equal(await head(), before);
      assert.equal((await add('y'.repeat(200))).title.length, 200);
    });

    it('draws ids like T-4k2p, unique across 200 adds', async (t) => {
      const { add } = await setup(t);
      const ids = new Set<string>();
      for (let i = 0; i < 200; i++) ids.add((await add(`task ${i}`)).id);
      assert.equal(ids.size, 200);
      for (const id of ids) assert.match(id, TASK_ID);
    });

    it('answers a retried add with the same key with the first task, adding nothing', async (t) => {
      const { hub, a, head, list } = await setup(t);
      const first = await hub.tasks.addTask(
        { principal: a, room: ROOM, agent: 'alice', key: 'add-1' },
        { title: 'Once' },
      );
      const cursor = await head();
      const again = await hub.tasks.addTask(
        { principal: a, room: ROOM, agent: 'alice', key: 'add-1' },
        { title: 'Once' },
      );
      assert.equal(again.task.id, first.task.id);
      assert.equal(await head(), cursor);
      assert.deepEqual(await list(), [first.task.id]);
    });

    it('answers a retried add after its assignee retired', async (t) => {
      const { hub, a, b } = await setup(t);
      const input = { title: 'For bob', assignee: 'bob' };
      const first = await hub.tasks.addTask(
        { principal: a, room: ROOM, agent: 'alice', key: 'k' },
        input,
      );
      await hub.presence.retireAgent({ principal: b, room: ROOM }, 'bob');
      const again = await hub.tasks.addTask(
        { principal: a, room: ROOM, agent: 'alice', key: 'k' },
        input,
      );
      assert.equal(again.task.id, first.task.id);
    });
  });

  describe('dependencies', () => {
    it('unblocks a chain A <- B <- C in order, in the same event as the done', async (t) => {
      const { add, finish, get, events, head } = await setup(t);
      const A = await add('A');
      const B = await add('B', { depends_on: [A.id] });
      const C = await add('C', { depends_on: [B.id] });
      const before = await head();
      const doneA = await finish(A.id);
      assert.deepEqual(
        doneA.unblocked?.map((x) => [x.id, x.status]),
        [[B.id, 'open']],
      );
      assert.deepEqual([(await get(B.id)).status, (await get(C.id)).status], ['open', 'blocked']);
      const [done, ...rest] = await events(before);
      assert.equal(done?.type, 'task.done');
      const freed = done?.body.unblocked as Task[];
      assert.deepEqual(
        freed.map((x) => [x.id, x.status]),
        [[B.id, 'open']],
      );
      assert.deepEqual(rest, [], 'one event; alice created B, so nobody is told');
      await finish(B.id);
      assert.equal((await get(C.id)).status, 'open');
    });

    it('opens C when A then B finish (A, B <- C)', async (t) => {
      const { add, finish, claim, get } = await setup(t);
      const [A, B] = [await add('A'), await add('B')];
      const C = await add('C', { depends_on: [A.id, B.id] });
      await finish(A.id);
      const err = await refused(claim(C.id), 'task_blocked', 'conflict');
      assert.deepEqual(err.details.waiting_on, [B.id]);
      const doneB = await finish(B.id);
      assert.deepEqual(
        doneB.unblocked?.map((x) => x.id),
        [C.id],
      );
      assert.equal((await get(C.id)).status, 'open');
    });

    it('tells the creator and advance assignee of an unblocked task, not the finisher', async (t) => {
      const { add, finish, get, inbox, alice, bob, carol } = await setup(t);
      const A = await add('A');
      const B = await add('B', { depends_on: [A.id], assignee: 'carol' }, bob);
      const own = await add('Own', { depends_on: [A.id] });
      assert.deepEqual([B.status, B.assignee], ['blocked', 'carol']);
      const done = await finish(A.id);
      assert.deepEqual(done.unblocked?.map((x) => x.id).sort(), [B.id, own.id].sort());
      const now = await get(B.id);
      assert.deepEqual([now.status, now.assignee], ['claimed', 'carol']);
      for (const who of [bob, carol]) {
        const [m, ...more] = await inbox(who);
        assert.deepEqual([m?.kind, m?.from, more.length], ['task', 'alice', 0]);
        assert.match(m!.body, new RegExp(`${B.id} "B" is ready for carol`));
      }
      assert.deepEqual(await inbox(alice), []);
    });

    it('refuses a cycle through update, and a self dependency, naming the cycle', async (t) => {
      const { add, update, get, head } = await setup(t);
      const A = await add('A');
      const B = await add('B', { depends_on: [A.id] });
      const before = await head();
      const cycle = await refused(
        update(A.id, { depends_on: [B.id] }),
        'dependency_cycle',
        'conflict',
      );
      assert.deepEqual(cycle.details.cycle, [A.id, B.id, A.id]);
      const self = await refused(
        update(A.id, { depends_on: [A.id] }),
        'dependency_cycle',
        'conflict',
      );
      assert.deepEqual(self.details.cycle, [A.id, A.id]);
      assert.equal(await head(), before);
      assert.deepEqual((await get(A.id)).depends_on, []);
    });

    it('cancelling a task others depend on leaves them blocked and tells their creator', async (t) => {
      const { add, cancel, get, inbox, events, head, bob } = await setup(t);
      const A = await add('A');
      const B = await add('B', { depends_on: [A.id] }, bob);
      const before = await head();
      await cancel(A.id, 'not needed');
      const gone = await get(A.id);
      assert.deepEqual([gone.status, gone.result], ['cancelled', 'not needed']);
      assert.equal((await get(B.id)).status, 'blocked');
      assert.deepEqual((await events(before))[0]?.body.stranded, [B.id]);
      const [m] = await inbox(bob);
      assert.equal(m?.kind, 'task');
      assert.match(m!.body, new RegExp(`${A.id} "A" was cancelled, and ${B.id} "B" depends on it`));
    });
  });

  describe('planTasks', () => {
    it('resolves refs, forward ones included, and existing ids', async (t) => {
      const { hub, a, add, list } = await setup(t);
      const existing = await add('Existing');
      const plan = await hub.tasks.planTasks({ principal: a, room: ROOM, agent: 'alice' }, [
        { ref: 'ship', title: 'Ship', depends_on: ['test'] },
        { ref: 'build', title: 'Build', depends_on: [existing.id] },
        { ref: 'test', title: 'Test', depends_on: ['build'], priority: 'high' },
      ]);
      const [ship, build, test] = plan.tasks;
      assert.deepEqual(plan.refs, { ship: ship!.id, build: build!.id, test: test!.id });
      assert.deepEqual(
        [ship!.depends_on, test!.depends_on, build!.depends_on],
        [[test!.id], [build!.id], [existing.id]],
      );
      assert.deepEqual(
        plan.tasks.map((x) => x.status),
        ['blocked', 'blocked', 'blocked'],
      );
      assert.equal(plan.event?.type, 'task.planned');
      assert.equal((await list()).length, 4);
    });

    it('creates nothing when one item is wrong: a cycle, an unknown ref or id, a bad field', async (t) => {
      const { hub, a, head, list } = await setup(t);
      const before = await head();
      const plan = (items: Array<Record<string, unknown>>) =>
        hub.tasks.planTasks({ principal: a, room: ROOM, agent: 'alice' }, items as never);
      const bad = (items: Array<Record<string, unknown>>, code: string, kind: string) =>
        refused(plan(items), code, kind);
      const x = { ref: 'x', title: 'X' };
      const cycle = await bad(
        [
          { ...x, depends_on: ['y'] },
          { ref: 'y', title: 'Y', depends_on: ['x'] },
        ],
        'dependency_cycle',
        'conflict',
      );
      assert.equal(cycle.details.cycle.length, 3);
      await bad([{ ...x, depends_on: ['x'] }], 'dependency_cycle', 'conflict');
      await bad([x, { title: 'Y', depends_on: ['nope'] }], 'invalid_task_id', 'invalid');
      await bad([x, { title: 'Y', depends_on: ['T-zzzz'] }], 'dependency_not_found', 'not_found');
      const title = await bad([x, { title: '' }, { title: 'Z' }], 'invalid_title', 'invalid');
      assert.equal(title.details.field, 'tasks.1.title');
      const many = Array.from({ length: 101 }, (_, i) => ({ title: `t${i}` }));
      assert.equal((await bad(many, 'invalid_plan', 'invalid')).details.limit, 100);
      assert.equal(await head(), before);
      assert.deepEqual(await list({ statuses: ['all'] }), []);
      assert.equal((await plan(many.slice(1))).tasks.length, 100);
    });

    it('claims an assigned item when it is not blocked, and blocks it otherwise', async (t) => {
      const { hub, a } = await setup(t);
      const { tasks } = await hub.tasks.planTasks({ principal: a, room: ROOM, agent: 'alice' }, [
        { ref: 'a', title: 'A', assignee: 'bob' },
        { ref: 'b', title: 'B', assignee: 'carol', depends_on: ['a'] },
      ]);
      const got = tasks.map((x) => `${x.status} ${x.assignee}`);
      assert.deepEqual(got, ['claimed bob', 'blocked carol']);
    });
  });

  describe('claims and the lifecycle', () => {
    it('of 20 agents claiming at once exactly one wins; the others learn who holds it', async (t) => {
      const { member, agent, add, claim, events, head } = await setup(t);
      const task = await add('Contested');
      const claimers: As[] = [];
      for (let i = 0; i < 20; i++) claimers.push(await agent(await member(`host-${i}`), `w-${i}`));
      const before = await head();
      const settled = await Promise.allSettled(claimers.map((who) => claim(task.id, who)));
      const won = settled.filter((s) => s.status === 'fulfilled');
      assert.equal(won.length, 1);
      const winner = won[0]!.value.task.assignee;
      for (const s of settled) {
        if (s.status === 'fulfilled') continue;
        const err = s.reason as { code: string; kind: string; details: any };
        assert.deepEqual(
          [err.code, err.kind, err.details.assignee],
          ['task_claimed', 'conflict', winner],
        );
      }
      assert.deepEqual(
        (await events(before)).map((e) => e.type),
        ['task.claimed'],
      );
    });

    it('refuses to claim a blocked task naming what it waits on; a second claim is a no-op', async (t) => {
      const { add, claim, head } = await setup(t);
      const A = await add('A');
      const B = await add('B', { depends_on: [A.id] });
      const err = await refused(claim(B.id), 'task_blocked', 'conflict');
      assert.deepEqual(err.details.waiting_on, [A.id]);
      await claim(A.id);
      const before = await head();
      const again = await claim(A.id);
      assert.deepEqual([again.event, again.task.status], [null, 'claimed']);
      assert.equal(await head(), before);
    });

    it('changes a held task only by its holder, admin or not, unless forced; the refusal says how', async (t) => {
      const env = await setup(t);
      const { add, claim, start, unclaim, finish, cancel, update, handoff, get, head } = env;
      const { bob, boss } = env;
      const task = await add('Mine');
      await claim(task.id);
      const before = await head();
      // boss is an agent of the room's admin member: without force it is refused like anyone.
      for (const who of [bob, boss]) {
        for (const attempt of [
          () => start(task.id, who),
          () => finish(task.id, undefined, who),
          () => unclaim(task.id, who),
          () => cancel(task.id, undefined, who),
          () => update(task.id, { title: 'Stolen' }, who),
          () => handoff(task.id, who[1], undefined, who),
        ]) {
          const err = await refused(attempt(), 'task_claimed', 'conflict');
          assert.equal(err.details.assignee, 'alice');
          assert.match(err.message, /by alice/);
          assert.match(err.message, /--force \(force: true\)/);
        }
      }
      assert.equal(await head(), before, 'no refusal wrote anything');
      assert.deepEqual(
        [(await get(task.id)).title, (await get(task.id)).assignee],
        ['Mine', 'alice'],
      );
    });

    it("two agents of one admin member (one machine): neither changes the other's task without force", async (t) => {
      const { hub, admin, agent, add, claim, finish, cancel, unclaim, get, inbox, boss } =
        await setup(t);
      const deputy = await agent(admin, 'deputy');
      const task = await add('Boss work', {}, boss);
      await claim(task.id, boss);
      await refused(finish(task.id, 'done by deputy', deputy), 'task_claimed', 'conflict');
      await refused(cancel(task.id, undefined, deputy), 'task_claimed', 'conflict');
      await refused(unclaim(task.id, deputy), 'task_claimed', 'conflict');
      const forced = await hub.tasks.finishTask(
        { principal: admin, room: ROOM, agent: 'deputy' },
        { id: task.id, result: 'closed for boss', force: true },
      );
      assert.deepEqual(
        [forced.task.status, forced.task.assignee, forced.task.result],
        ['done', 'boss', 'closed for boss'],
      );
      assert.deepEqual(forced.event?.body.override, {
        by: 'deputy',
        member: 'owner',
        holder: 'boss',
      });
      assert.equal((await get(task.id)).status, 'done');
      const [told] = await inbox(boss);
      assert.deepEqual([told?.from, told?.kind], ['deputy', 'task']);
      assert.match(told!.body, new RegExp(`overrode your hold: ${task.id} "Boss work" was yours`));
      assert.match(told!.body, /deputy finished it/);
    });

    it('an admin overrides with force: each event records the override, the holder is told', async (t) => {
      const env = await setup(t);
      const { hub, admin, add, claim, start, get, events, head, inbox, alice, bob } = env;
      const byBoss = { force: true };
      const t1 = await add('First');
      await start(t1.id);
      const before = await head();
      const updated = await hub.tasks.updateTask(
        { principal: admin, room: ROOM, agent: 'boss' },
        { id: t1.id, priority: 'high', ...byBoss },
      );
      assert.deepEqual([updated.task.priority, updated.task.assignee], ['high', 'alice']);
      const unclaimed = await hub.tasks.unclaimTask(
        { principal: admin, room: ROOM, agent: 'boss' },
        { id: t1.id, ...byBoss },
      );
      assert.deepEqual([unclaimed.task.status, unclaimed.task.assignee], ['open', null]);
      await claim(t1.id);
      const handed = await hub.tasks.handoffTask(
        { principal: admin, room: ROOM, agent: 'boss' },
        { id: t1.id, to: 'bob', ...byBoss },
      );
      assert.deepEqual([handed.task.assignee, handed.task.status], ['bob', 'claimed']);
      const cancelled = await hub.tasks.cancelTask(
        { principal: admin, room: ROOM, agent: 'boss' },
        { id: t1.id, ...byBoss },
      );
      assert.equal(cancelled.task.status, 'cancelled');
      const log = (await events(before)).filter((e) => e.type.startsWith('task.'));
      assert.deepEqual(
        log.map((e) => [e.type, (e.body.override as { holder: string } | undefined)?.holder]),
        [
          ['task.updated', 'alice'],
          ['task.unclaimed', 'alice'],
          ['task.claimed', undefined],
          ['task.handoff', 'alice'],
          ['task.cancelled', 'bob'],
        ],
      );
      for (const e of log.filter((e) => e.body.override))
        assert.deepEqual(
          [(e.body.override as any).by, (e.body.override as any).member, e.actor?.label],
          ['boss', 'owner', 'owner'],
        );
      const toAlice = (await inbox(alice)).filter((m) => m.from === 'boss');
      assert.deepEqual(
        toAlice.map((m) => /boss (\w+ [^.]*?)\./.exec(m.body.split('was yours, and ')[1]!)?.[0]),
        ['boss changed its priority.', 'boss unclaimed it.', 'boss handed it to bob.'],
      );
      assert.ok(toAlice.every((m) => m.kind === 'task' && m.body.includes(t1.id)));
      const toBob = (await inbox(bob)).map((m) => m.kind);
      assert.deepEqual(toBob, ['handoff', 'task'], 'bob got the handoff, then the cancel notice');
      assert.equal((await get(t1.id)).status, 'cancelled');
    });

    it('force needs the admin scope (403 force_requires_admin) and writes nothing', async (t) => {
      const { hub, add, claim, head, get, a, b } = await setup(t);
      const task = await add('Mine');
      await claim(task.id);
      const before = await head();
      for (const attempt of [
        () =>
          hub.tasks.finishTask(
            { principal: b, room: ROOM, agent: 'bob' },
            { id: task.id, force: true },
          ),
        () =>
          hub.tasks.cancelTask(
            { principal: b, room: ROOM, agent: 'bob' },
            { id: task.id, force: true },
          ),
        () =>
          hub.tasks.unclaimTask(
            { principal: b, room: ROOM, agent: 'bob' },
            { id: task.id, force: true },
          ),
        () =>
          hub.tasks.updateTask(
            { principal: b, room: ROOM, agent: 'bob' },
            { id: task.id, title: 'Stolen', force: true },
          ),
        () =>
          hub.tasks.handoffTask(
            { principal: b, room: ROOM, agent: 'bob' },
            { id: task.id, to: 'bob', force: true },
          ),
        // Not even on the agent's own task: force is an admin's word.
        () =>
          hub.tasks.finishTask(
            { principal: a, room: ROOM, agent: 'alice' },
            { id: task.id, force: true },
          ),
      ]) {
        const err = await refused(attempt(), 'force_requires_admin', 'forbidden');
        assert.equal(err.details.field, 'force');
        assert.match(err.message, /"admin" scope/);
      }
      assert.equal(await head(), before);
      assert.deepEqual(
        [(await get(task.id)).assignee, (await get(task.id)).title],
        ['alice', 'Mine'],
      );
    });

    it('force on a change that needs no override records none and tells nobody', async (t) => {
      const { hub, admin, add, claim, events, head, inbox, alice, boss } = await setup(t);
      const own = await add('Own', {}, boss);
      await claim(own.id, boss);
      const free = await add('Free');
      const before = await head();
      await hub.tasks.updateTask(
        { principal: admin, room: ROOM, agent: 'boss' },
        { id: own.id, priority: 'low', force: true },
      );
      await hub.tasks.finishTask(
        { principal: admin, room: ROOM, agent: 'boss' },
        { id: own.id, force: true },
      );
      await hub.tasks.cancelTask(
        { principal: admin, room: ROOM, agent: 'boss' },
        { id: free.id, force: true },
      );
      const log = await events(before);
      assert.deepEqual(
        log.map((e) => [e.type, 'override' in e.body]),
        [
          ['task.updated', false],
          ['task.done', false],
          ['task.cancelled', false],
        ],
      );
      assert.deepEqual(await inbox(alice), []);
      assert.equal(free.created_by, 'alice');
    });

    it('an idempotency key covers force: the same key without it is another request', async (t) => {
      const { hub, admin, add, claim, head, inbox, alice } = await setup(t);
      const task = await add('Mine');
      await claim(task.id);
      await refused(
        hub.tasks.finishTask(
          { principal: admin, room: ROOM, agent: 'boss', key: 'fin-1' },
          { id: task.id },
        ),
        'task_claimed',
        'conflict',
      );
      const first = await hub.tasks.finishTask(
        { principal: admin, room: ROOM, agent: 'boss', key: 'fin-2' },
        { id: task.id, force: true },
      );
      const before = await head();
      const again = await hub.tasks.finishTask(
        { principal: admin, room: ROOM, agent: 'boss', key: 'fin-2' },
        { id: task.id, force: true },
      );
      assert.deepEqual(again.event, first.event);
      assert.equal(await head(), before, 'the replay appended nothing');
      assert.equal((await inbox(alice)).length, 1, 'the holder was told once');
      await refused(
        hub.tasks.finishTask(
          { principal: admin, room: ROOM, agent: 'boss', key: 'fin-2' },
          { id: task.id },
        ),
        'idempotency_key_reused',
        'conflict',
      );
    });

    it('refuses an admin who claims or starts a held task, pointing to handoff', async (t) => {
      const { add, claim, start, boss } = await setup(t);
      const task = await add('Mine');
      await claim(task.id);
      const err = await refused(start(task.id, boss), 'task_claimed', 'conflict');
      assert.match(err.message, /hand it off/);
    });

    it('unclaims back to open, starts an open task by claiming it, stores a result', async (t) => {
      const { add, claim, unclaim, start, finish, get } = await setup(t);
      const task = await add('Work');
      await claim(task.id);
      const open = (await unclaim(task.id)).task;
      assert.deepEqual([open.status, open.assignee], ['open', null]);
      const started = (await start(task.id)).task;
      assert.deepEqual([started.status, started.assignee], ['in_progress', 'alice']);
      assert.equal((await finish(task.id, 'Fixed in 4f2a.')).task.status, 'done');
      const stored = await get(task.id);
      assert.deepEqual([stored.status, stored.result], ['done', 'Fixed in 4f2a.']);
      assert.notEqual(stored.closed_at, null);
    });

    it('refuses any change to a done or cancelled task (task_closed)', async (t) => {
      const { add, claim, start, unclaim, finish, cancel, update, handoff } = await setup(t);
      const [done, cancelled] = [await add('Done'), await add('Cancelled')];
      await finish(done.id);
      await cancel(cancelled.id);
      for (const { id } of [done, cancelled]) {
        for (const attempt of [
          () => claim(id),
          () => start(id),
          () => unclaim(id),
          () => finish(id),
          () => cancel(id),
          () => update(id, { title: 'again' }),
          () => handoff(id, 'bob'),
        ])
          await refused(attempt(), 'task_closed', 'conflict');
      }
    });

    it('hands a task off with a handoff message; an unknown target is a 404 with suggestions', async (t) => {
      const { add, start, handoff, inbox, bob } = await setup(t);
      const task = await add('Review auth');
      await start(task.id);
      const err = await refused(handoff(task.id, 'bobb'), 'agent_not_found', 'not_found');
      assert.equal(err.details.suggestions[0], 'bob');
      const handed = await handoff(task.id, 'bob', 'Tests are in test/auth.');
      assert.deepEqual([handed.task.assignee, handed.task.status], ['bob', 'claimed']);
      const [m] = await inbox(bob);
      assert.deepEqual([m?.kind, m?.from, m?.id], ['handoff', 'alice', handed.message?.id]);
      assert.match(m!.body, /Tests are in test\/auth\./);
      assert.ok(m!.body.includes(task.id));
    });
  });

  describe('the board', () => {
    it('lists ready tasks by priority, then age', async (t) => {
      const { clock, add, claim, list } = await setup(t);
      const ids: string[] = [];
      for (const priority of ['low', 'critical', 'high', 'critical']) {
        ids.push((await add(`${priority} task`, { priority })).id);
        clock.advance(1_000);
      }
      await claim((await add('claimed', { priority: 'critical' })).id);
      await add('blocked', { priority: 'critical', depends_on: [ids[0]] });
      assert.deepEqual(await list({ ready: true }), [ids[1], ids[3], ids[2], ids[0]]);
    });

    it('hides done and cancelled tasks unless status is all', async (t) => {
      const { clock, add, finish, cancel, list } = await setup(t);
      const ids: string[] = [];
      for (const title of ['open', 'done', 'cancelled']) {
        ids.push((await add(title)).id);
        clock.advance(1_000);
      }
      const [open, done, cancelled] = ids as [string, string, string];
      await finish(done);
      await cancel(cancelled);
      assert.deepEqual(await list(), [open]);
      assert.deepEqual(await list({ statuses: ['all'] }), [open, done, cancelled]);
      assert.deepEqual(await list({ statuses: ['done'] }), [done]);
      await refused(list({ statuses: ['finished'] }), 'invalid_status', 'invalid');
    });

    it('renders a claimed critical task on one padded line', async (t) => {
      const { a, agent, add, claim } = await setup(t);
      const backend = await agent(a, 'backend');
      const task = await add('Fix auth expiry check', { priority: 'critical' }, backend);
      const claimed = (await claim(task.id, backend)).task;
      const line = `[${task.id}] CLAIMED     [CRITICAL] Fix auth expiry check (backend)`;
      assert.equal(renderTaskLine(claimed), line);
      assert.equal(renderBoard([claimed]), line);
      assert.equal(renderBoard([]), 'The board is empty.');
    });
  });
});

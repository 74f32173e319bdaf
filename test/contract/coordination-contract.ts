// The task board, variable, lease and activity cases every Store must pass, written only
// against the Store interface.

import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { HuddleError } from '../../src/core/errors.js';
import type { LeaseLiveness, Store, TaskBoard, TaskChange } from '../../src/core/store.js';
import type { Actor, EventDraft, Lease, Member, Room, Task } from '../../src/core/types.js';
import { huddleError, type OpenedStore } from './store-contract.js';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const digest = () => randomBytes(32).toString('hex');
const id = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

function draft(
  type: string,
  body: Record<string, unknown> = {},
  ts = T0,
  actor: Actor | null = null,
): EventDraft {
  return { id: id('ev'), ts, actor, type, body };
}

interface Fixture {
  room: Room;
  admin: Member;
}

async function createRoom(store: Store): Promise<Fixture> {
  const memberId = id('mem');
  const created = await store.createRoom({
    room: { id: id('room'), name: id('room').replace('_', '-'), created_at: T0 },
    member: { id: memberId, label: 'admin', scopes: ['admin'], created_at: T0 },
    token_digest: digest(),
    event: draft('room.created'),
  });
  return { room: created.room, admin: created.member };
}

async function addAgent(store: Store, f: Fixture, name: string, at = T0): Promise<void> {
  await store.registerAgent(
    f.room.id,
    {
      name,
      member_id: f.admin.id,
      at,
      client: 'claude-code',
      model: null,
      host: null,
      cwd: null,
      mcp_servers: [],
      tags: [],
    },
    () => draft('agent.registered', { agent: name }, at),
  );
}

function task(taskId: string, extra: Partial<Task> = {}): Task {
  return {
    id: taskId,
    title: `title of ${taskId}`,
    description: '',
    status: 'open',
    priority: 'medium',
    assignee: null,
    depends_on: [],
    result: null,
    created_by: 'alice',
    created_at: iso(T0),
    updated_at: iso(T0),
    closed_at: null,
    ...extra,
  };
}

/** A change that writes `tasks` as new ones. */
const create =
  (...tasks: Task[]) =>
  (): TaskChange<null> => ({
    write: tasks,
    created: tasks.map((t) => t.id),
    event: draft('task.created', { ids: tasks.map((t) => t.id) }),
    result: null,
  });

function lease(leaseId: string, agent: string, paths: string[], at = T0, ttlSeconds = 1800): Lease {
  return {
    id: leaseId,
    agent,
    paths,
    mode: 'exclusive',
    reason: '',
    ttl_seconds: ttlSeconds,
    created_at: iso(at),
    expires_at: iso(at + ttlSeconds * 1000),
  };
}

const live = (now: number, graceMs = 5 * MINUTE): LeaseLiveness => ({
  now,
  offline_before: now - graceMs,
});

export function runCoordinationContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store coordination contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(() => opened.cleanup());

    describe('changeTasks', () => {
      it('writes new tasks with one event and reads them back', async () => {
        const f = await createRoom(store);
        const a = task('T-aaaa', { depends_on: [], priority: 'high' });
        const b = task('T-bbbb', { status: 'blocked', depends_on: ['T-aaaa'] });
        const { event } = await store.changeTasks(f.room.id, [], create(a, b));
        assert.equal(event!.type, 'task.created');
        assert.equal(event!.seq, f.room.last_seq + 1);
        assert.deepEqual(await store.getTask(f.room.id, 'T-aaaa'), a);
        assert.deepEqual(await store.listTasks(f.room.id, {}), [a, b]);
        assert.deepEqual(await store.listTasks(f.room.id, { statuses: ['blocked'] }), [b]);
        assert.equal(await store.getTask(f.room.id, 'T-zzzz'), null);
      });

      it('shows the change every open task and the closed ones it asks for', async () => {
        const f = await createRoom(store);
        const done = task('T-done', { status: 'done', closed_at: iso(T0) });
        await store.changeTasks(
          f.room.id,
          [],
          create(task('T-open'), done, task('T-clsd', { status: 'cancelled', closed_at: iso(T0) })),
        );
        let seen: string[] = [];
        await store.changeTasks(f.room.id, ['T-done', 'T-none'], (board: TaskBoard) => {
          seen = [...board.tasks.keys()].sort();
          return { write: [], created: [], event: null, result: null };
        });
        assert.deepEqual(seen, ['T-done', 'T-open']);
        // A closed task that an open one depends on is always there.
        await store.changeTasks(
          f.room.id,
          [],
          create(task('T-next', { status: 'blocked', depends_on: ['T-clsd', 'T-done'] })),
        );
        await store.changeTasks(f.room.id, [], (board: TaskBoard) => {
          seen = [...board.tasks.keys()].sort();
          return { write: [], created: [], event: null, result: null };
        });
        assert.deepEqual(seen, ['T-clsd', 'T-done', 'T-next', 'T-open']);
      });

      it('appends nothing when the change has no event', async () => {
        const f = await createRoom(store);
        await store.changeTasks(f.room.id, [], create(task('T-aaaa')));
        const before = (await store.findRoom(f.room.name))!.last_seq;
        const out = await store.changeTasks(f.room.id, [], () => ({
          write: [],
          created: [],
          event: null,
          result: 7,
        }));
        assert.deepEqual(out, { result: 7, event: null });
        assert.equal((await store.findRoom(f.room.name))!.last_seq, before);
      });

      it('rolls everything back when the change throws', async () => {
        const f = await createRoom(store);
        const before = (await store.findRoom(f.room.name))!.last_seq;
        await assert.rejects(
          store.changeTasks(f.room.id, [], () => {
            throw new HuddleError('conflict', 'task_claimed', 'no');
          }),
          huddleError('task_claimed', 'conflict'),
        );
        assert.equal((await store.findRoom(f.room.name))!.last_seq, before);
        assert.deepEqual(await store.listTasks(f.room.id, {}), []);
      });

      it('refuses a new task whose id is taken, writing none of the change', async () => {
        const f = await createRoom(store);
        await store.changeTasks(
          f.room.id,
          [],
          create(task('T-aaaa', { status: 'done', closed_at: iso(T0) })),
        );
        await assert.rejects(
          store.changeTasks(f.room.id, [], create(task('T-bbbb'), task('T-aaaa'))),
          huddleError('task_id_taken', 'conflict'),
        );
        assert.equal(await store.getTask(f.room.id, 'T-bbbb'), null);
      });

      it('lets exactly one of 20 concurrent claims win', async () => {
        const f = await createRoom(store);
        await store.changeTasks(f.room.id, [], create(task('T-aaaa')));
        const claim = (agent: string) =>
          store.changeTasks(f.room.id, [], (board) => {
            const t = board.tasks.get('T-aaaa')!;
            if (t.assignee !== null)
              throw new HuddleError('conflict', 'task_claimed', `held by ${t.assignee}`, {
                details: { assignee: t.assignee },
              });
            const next = { ...t, status: 'claimed' as const, assignee: agent };
            return {
              write: [next],
              created: [],
              event: draft('task.claimed', { agent }),
              result: agent,
            };
          });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => claim(`agent-${i}`)),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        assert.equal(won.length, 1);
        const winner = (won[0] as PromiseFulfilledResult<{ result: string }>).value.result;
        for (const o of outcomes.filter((x) => x.status === 'rejected')) {
          const err = (o as PromiseRejectedResult).reason as HuddleError;
          assert.equal(err.code, 'task_claimed');
          assert.equal(err.details.assignee, winner);
        }
        assert.equal((await store.getTask(f.room.id, 'T-aaaa'))!.assignee, winner);
      });

      it('answers a replayed idempotency key with the first result and changes nothing', async () => {
        const f = await createRoom(store);
        const idem = { member_id: f.admin.id, key: 'k1', fingerprint: 'fp', at: T0 };
        const first = await store.changeTasks(f.room.id, [], create(task('T-aaaa')), idem);
        const replay = await store.findReplay(f.room.id, idem);
        assert.ok(replay && 'result' in replay);
        assert.deepEqual(replay.result, JSON.parse(JSON.stringify(first)));
        const again = await store.changeTasks(f.room.id, [], create(task('T-bbbb')), idem);
        assert.deepEqual(again, JSON.parse(JSON.stringify(first)));
        assert.equal(await store.getTask(f.room.id, 'T-bbbb'), null);
      });
    });

    describe('variables', () => {
      const set = (f: Fixture, key: string, value: string, expected?: number, at = T0) =>
        store.setVariable(
          f.room.id,
          {
            key,
            value,
            ...(expected !== undefined && { expected_version: expected }),
            set_by: 'alice',
            at,
            max_keys: 3,
          },
          (v) => draft('var.set', { key, version: v.version }),
        );

      it('sets, versions, lists and gets variables', async () => {
        const f = await createRoom(store);
        const one = await set(f, 'b.key', 'one');
        assert.deepEqual(one.variable, {
          key: 'b.key',
          value: 'one',
          version: 1,
          set_by: 'alice',
          updated_at: iso(T0),
        });
        assert.equal(one.event.type, 'var.set');
        assert.equal((await set(f, 'b.key', 'two', 1)).variable.version, 2);
        await set(f, 'a.key', '');
        assert.deepEqual(
          (await store.listVariables(f.room.id)).map((v) => [v.key, v.value, v.version]),
          [
            ['a.key', '', 1],
            ['b.key', 'two', 2],
          ],
        );
        assert.equal((await store.getVariable(f.room.id, 'b.key'))!.value, 'two');
        assert.equal(await store.getVariable(f.room.id, 'nope'), null);
      });

      it('refuses a stale expected version with the current variable', async () => {
        const f = await createRoom(store);
        await set(f, 'k', 'one');
        await set(f, 'k', 'two');
        await assert.rejects(set(f, 'k', 'three', 1), (err: HuddleError) => {
          assert.equal(err.code, 'variable_conflict');
          assert.equal((err.details.current as { value: string }).value, 'two');
          return true;
        });
        await assert.rejects(set(f, 'k', 'x', 0), huddleError('variable_conflict', 'conflict'));
        await assert.rejects(set(f, 'new', 'x', 3), huddleError('variable_conflict', 'conflict'));
        assert.equal((await set(f, 'new', 'x', 0)).variable.version, 1);
      });

      it('loses no update under concurrent compare-and-set', async () => {
        const f = await createRoom(store);
        await set(f, 'counter', '0');
        const increment = async () => {
          for (;;) {
            const current = (await store.getVariable(f.room.id, 'counter'))!;
            try {
              await set(f, 'counter', String(Number(current.value) + 1), current.version);
              return;
            } catch (err) {
              if ((err as HuddleError).code !== 'variable_conflict') throw err;
            }
          }
        };
        await Promise.all(Array.from({ length: 25 }, increment));
        const final = (await store.getVariable(f.room.id, 'counter'))!;
        assert.equal(final.value, '25');
        assert.equal(final.version, 26);
      });

      it('deletes with a tombstone so versions keep increasing', async () => {
        const f = await createRoom(store);
        await set(f, 'k', 'one');
        await assert.rejects(
          store.deleteVariable(f.room.id, { key: 'k', expected_version: 5, at: T0 }, () =>
            draft('var.deleted'),
          ),
          huddleError('variable_conflict', 'conflict'),
        );
        const { variable, event } = await store.deleteVariable(
          f.room.id,
          { key: 'k', at: T0 },
          () => draft('var.deleted'),
        );
        assert.equal(variable.value, 'one');
        assert.equal(event.type, 'var.deleted');
        assert.equal(await store.getVariable(f.room.id, 'k'), null);
        assert.deepEqual(await store.listVariables(f.room.id), []);
        await assert.rejects(
          store.deleteVariable(f.room.id, { key: 'k', at: T0 }, () => draft('var.deleted')),
          huddleError('variable_not_found', 'not_found'),
        );
        // A version read before the delete does not match the value written after it.
        await assert.rejects(set(f, 'k', 'stale', 1), huddleError('variable_conflict', 'conflict'));
        assert.equal((await set(f, 'k', 'fresh', 0)).variable.version, 3);
      });

      it('refuses a key past the room limit but lets existing keys change', async () => {
        const f = await createRoom(store);
        for (const k of ['a', 'b', 'c']) await set(f, k, 'v');
        await assert.rejects(set(f, 'd', 'v'), huddleError('too_many_variables', 'conflict'));
        await set(f, 'a', 'w');
      });
    });

    describe('leases', () => {
      const acquire = (f: Fixture, l: Lease, now = T0) =>
        store.acquireLease(f.room.id, live(now), (held) => {
          if (held.some((h) => h.agent !== l.agent && h.paths.some((p) => l.paths.includes(p))))
            throw new HuddleError('conflict', 'lease_conflict', 'held');
          return { lease: l, event: draft('lease.acquired', { agent: l.agent }) };
        });

      it('stores a lease and lists the live ones', async () => {
        const f = await createRoom(store);
        await addAgent(store, f, 'alice');
        const l = lease('L-aaaaaa', 'alice', ['src/**', 'package.json']);
        const { lease: stored, event } = await acquire(f, l);
        assert.deepEqual(stored, l);
        assert.equal(event.type, 'lease.acquired');
        assert.deepEqual(await store.listLeases(f.room.id, live(T0)), [l]);
      });

      it('lets exactly one of 20 concurrent conflicting requests win', async () => {
        const f = await createRoom(store);
        for (let i = 0; i < 20; i++) await addAgent(store, f, `agent-${i}`);
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            acquire(f, lease(`L-${String(i).padStart(6, '0')}`, `agent-${i}`, ['src/a.ts'])),
          ),
        );
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
        assert.equal((await store.listLeases(f.room.id, live(T0))).length, 1);
      });

      it('counts a lease dead after its expiry, or when its agent is offline past the grace or retired', async () => {
        const f = await createRoom(store);
        for (const a of ['alice', 'bob', 'carol']) await addAgent(store, f, a);
        await acquire(f, lease('L-aaaaaa', 'alice', ['a'], T0, 60));
        await acquire(f, lease('L-bbbbbb', 'bob', ['b']));
        await acquire(f, lease('L-cccccc', 'carol', ['c']));
        const at = T0 + 2 * MINUTE;
        assert.deepEqual(
          (await store.listLeases(f.room.id, live(at))).map((l) => l.id),
          ['L-bbbbbb', 'L-cccccc'],
        );
        // bob goes offline, last seen at T0: within the grace his lease holds, past it it ends.
        await store.touchAgent(f.room.id, 'bob', T0, 'offline', () => draft('agent.status'));
        await store.touchAgent(f.room.id, 'carol', T0, 'retired', () => draft('agent.status'));
        assert.deepEqual(
          (await store.listLeases(f.room.id, live(T0 + 4 * MINUTE))).map((l) => l.id),
          ['L-bbbbbb'],
        );
        assert.deepEqual(await store.listLeases(f.room.id, live(T0 + 6 * MINUTE)), []);
        // A dead lease no longer blocks anyone.
        await addAgent(store, f, 'dave', T0 + 6 * MINUTE);
        await acquire(
          f,
          lease('L-dddddd', 'dave', ['a', 'b', 'c'], T0 + 6 * MINUTE),
          T0 + 6 * MINUTE,
        );
      });

      it('sweeps dead leases in every room with one event each, naming why', async () => {
        const f = await createRoom(store);
        const g = await createRoom(store);
        await addAgent(store, f, 'alice');
        await addAgent(store, g, 'bob');
        await acquire(f, lease('L-aaaaaa', 'alice', ['a'], T0, 60));
        await acquire(g, lease('L-bbbbbb', 'bob', ['b']));
        await store.touchAgent(g.room.id, 'bob', T0, 'offline', () => draft('agent.status'));
        const whys: string[] = [];
        const swept = await store.sweepLeases(live(T0 + 10 * MINUTE), (l, why) => {
          whys.push(`${l.id}:${why}`);
          return draft('lease.expired', { id: l.id, why });
        });
        assert.deepEqual(whys.sort(), ['L-aaaaaa:expired', 'L-bbbbbb:agent_offline']);
        assert.deepEqual(swept.map((s) => s.room_id).sort(), [f.room.id, g.room.id].sort());
        assert.ok(swept.every((s) => s.event.type === 'lease.expired'));
        assert.deepEqual(await store.sweepLeases(live(T0 + 10 * MINUTE), () => draft('x')), []);
      });

      it('releases and renews the leases a pick selects', async () => {
        const f = await createRoom(store);
        await addAgent(store, f, 'alice');
        await acquire(f, lease('L-aaaaaa', 'alice', ['a'], T0, 60));
        await acquire(f, lease('L-bbbbbb', 'alice', ['b'], T0, 60));
        const renewed = await store.renewLeases(
          f.room.id,
          live(T0 + 30_000),
          (held) => held.filter((l) => l.id === 'L-aaaaaa'),
          () => T0 + 10 * MINUTE,
          (r) => draft('lease.renewed', { n: r.length }),
        );
        assert.equal(renewed.renewed[0]!.expires_at, iso(T0 + 10 * MINUTE));
        assert.equal(renewed.event!.type, 'lease.renewed');
        assert.deepEqual(
          (await store.listLeases(f.room.id, live(T0 + 2 * MINUTE))).map((l) => l.id),
          ['L-aaaaaa'],
        );
        const none = await store.releaseLeases(
          f.room.id,
          live(T0),
          () => [],
          () => draft('lease.released'),
        );
        assert.deepEqual(none, { released: [], event: null });
        const out = await store.releaseLeases(
          f.room.id,
          live(T0),
          (held) => held.filter((l) => l.id === 'L-aaaaaa'),
          () => draft('lease.released'),
        );
        assert.deepEqual(
          out.released.map((l) => l.id),
          ['L-aaaaaa'],
        );
        assert.deepEqual(
          (await store.listLeases(f.room.id, live(T0))).map((l) => l.id),
          ['L-bbbbbb'],
        );
      });
    });

    describe('queryEvents', () => {
      it('filters by type, family, exclusion, time and actor, in seq order', async () => {
        const f = await createRoom(store);
        const actor = { member_id: f.admin.id, label: 'laptop' };
        await store.appendEvent(f.room.id, draft('note', { text: 'n' }, T0 + 1000, actor));
        await store.appendEvent(
          f.room.id,
          draft('task.claimed', { agent: 'alice' }, T0 + 2000, actor),
        );
        await store.appendEvent(f.room.id, draft('task.done', { agent: 'bob' }, T0 + 3000, actor));
        await store.appendEvent(f.room.id, draft('receipt', { agent: 'bob' }, T0 + 4000));
        await store.appendEvent(
          f.room.id,
          draft('message', { message: { from: 'alice' } }, T0 + 5000),
        );
        const types = async (q: Partial<Parameters<Store['queryEvents']>[1]>) =>
          (await store.queryEvents(f.room.id, { after: 0, limit: 100, ...q })).map((e) => e.type);
        assert.deepEqual(await types({ types: ['task.'] }), ['task.claimed', 'task.done']);
        assert.deepEqual(await types({ types: ['note', 'task.done'] }), ['note', 'task.done']);
        assert.deepEqual(await types({ exclude: ['receipt', 'room.created'] }), [
          'note',
          'task.claimed',
          'task.done',
          'message',
        ]);
        assert.deepEqual(await types({ since: T0 + 3000 }), ['task.done', 'receipt', 'message']);
        assert.deepEqual(await types({ actor: 'alice' }), ['task.claimed', 'message']);
        assert.deepEqual(await types({ actor: 'laptop', types: ['task.'] }), [
          'task.claimed',
          'task.done',
        ]);
        const page = await store.queryEvents(f.room.id, {
          after: 0,
          limit: 2,
          types: ['task.', 'message'],
        });
        assert.deepEqual(
          page.map((e) => e.type),
          ['task.claimed', 'task.done'],
        );
        const rest = await store.queryEvents(f.room.id, {
          after: page[1]!.seq,
          limit: 2,
          types: ['task.', 'message'],
        });
        assert.deepEqual(
          rest.map((e) => e.type),
          ['message'],
        );
        assert.equal(rest[0]!.room, f.room.name);
      });
    });
  });
}

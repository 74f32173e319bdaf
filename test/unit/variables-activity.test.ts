// The Hub's shared variables, activity log (filters, paging, one-line rendering) and shared snippets, over SQLite in memory.

import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { renderActivity } from '../../src/core/rooms/activity-text.js';
import type { Principal } from '../../src/core/hub.js';
import type { RoomEvent } from '../../src/core/types.js';
import { refused, startRoomHub } from '../helpers/room-hub.js';

const ROOM = 'alpha';
const at = (h: number, m: number) => Date.UTC(2026, 0, 1, h, m);

async function setup(t: TestContext) {
  const { hub, clock, admin, member, events, head } = await startRoomHub(t, ROOM);
  const a = await member('machine-a');
  const b = await member('machine-b');
  const c = await member('machine-c');
  for (const [p, name] of [
    [a, 'alice'],
    [b, 'bob'],
    [c, 'carol'],
  ] as const)
    await hub.presence.registerAgent({ principal: p, room: ROOM }, { name });
  return { hub, clock, admin, a, b, c, events, head };
}

describe('Hub variables', () => {
  it('sets, gets, lists and deletes; set_by is the agent, or the member label', async (t) => {
    const { hub, a, b, events, head } = await setup(t);
    const before = await head();
    const first = await hub.variables.setVariable(
      { principal: a, room: ROOM },
      { key: 'build.status', value: 'green', agent: 'alice' },
    );
    assert.deepEqual(
      [first.variable.key, first.variable.value, first.variable.version, first.variable.set_by],
      ['build.status', 'green', 1, 'alice'],
    );
    const second = await hub.variables.setVariable(
      { principal: b, room: ROOM },
      { key: 'build.status', value: 'red' },
    );
    assert.deepEqual([second.variable.version, second.variable.set_by], [2, 'machine-b']);
    await hub.variables.setVariable(
      { principal: a, room: ROOM },
      { key: 'api_base', value: 'http://localhost:3000' },
    );
    assert.deepEqual(
      (await hub.variables.getVariable({ principal: b, room: ROOM }, 'build.status')).variable,
      second.variable,
    );
    assert.deepEqual(
      (await hub.variables.listVariables({ principal: b, room: ROOM })).variables.map((v) => [
        v.key,
        v.value,
      ]),
      [
        ['api_base', 'http://localhost:3000'],
        ['build.status', 'red'],
      ],
    );
    assert.deepEqual(
      (await events(before)).map((e) => [e.type, e.body]),
      [
        [
          'var.set',
          { key: 'build.status', value: 'green', version: 1, set_by: 'alice', agent: 'alice' },
        ],
        ['var.set', { key: 'build.status', value: 'red', version: 2, set_by: 'machine-b' }],
        [
          'var.set',
          { key: 'api_base', value: 'http://localhost:3000', version: 1, set_by: 'machine-a' },
        ],
      ],
    );
    const { deleted } = await hub.variables.deleteVariable(
      { principal: a, room: ROOM },
      { key: 'build.status', agent: 'alice' },
    );
    assert.equal(deleted.value, 'red');
    await refused(
      hub.variables.getVariable({ principal: a, room: ROOM }, 'build.status'),
      'variable_not_found',
      'not_found',
    );
    await refused(
      hub.variables.deleteVariable({ principal: a, room: ROOM }, { key: 'build.status' }),
      'variable_not_found',
      'not_found',
    );
    // A re-created key goes on counting, so a version read before the delete never matches.
    await refused(
      hub.variables.setVariable(
        { principal: a, room: ROOM },
        { key: 'build.status', value: 'x', expected_version: 2 },
      ),
      'variable_conflict',
      'conflict',
    );
    const again = await hub.variables.setVariable(
      { principal: a, room: ROOM },
      { key: 'build.status', value: 'x', expected_version: 0 },
    );
    assert.ok(again.variable.version > 2, `version ${again.variable.version}`);
  });

  it('refuses bad keys (pattern, 100 characters) and values over 8 KiB', async (t) => {
    const { hub, a, head } = await setup(t);
    const before = await head();
    for (const key of ['', 'has space', 'slash/key', 'ü', 'k'.repeat(101)]) {
      const err = await refused(
        hub.variables.setVariable({ principal: a, room: ROOM }, { key, value: 'v' }),
        'invalid_key',
        'invalid',
      );
      assert.equal(err.details.field, 'key');
    }
    const big = await refused(
      hub.variables.setVariable(
        { principal: a, room: ROOM },
        { key: 'big', value: 'v'.repeat(8 * 1024 + 1) },
      ),
      'value_too_large',
      'too_large',
    );
    assert.equal(big.details.limit_bytes, 8 * 1024);
    assert.equal(await head(), before);
    await hub.variables.setVariable(
      { principal: a, room: ROOM },
      { key: 'k'.repeat(100), value: 'v'.repeat(8 * 1024) },
    );
  });

  it('refuses a stale compare-and-set naming the current version and value', async (t) => {
    const { hub, a, b } = await setup(t);
    await hub.variables.setVariable({ principal: a, room: ROOM }, { key: 'mode', value: 'fast' });
    const err = await refused(
      hub.variables.setVariable(
        { principal: b, room: ROOM },
        { key: 'mode', value: 'slow', expected_version: 0 },
      ),
      'variable_conflict',
      'conflict',
    );
    assert.equal(err.details.expected_version, 0);
    assert.deepEqual([err.details.current.version, err.details.current.value], [1, 'fast']);
    assert.match(err.message, /version 1/);
    const ok = await hub.variables.setVariable(
      { principal: b, room: ROOM },
      { key: 'mode', value: 'slow', expected_version: 1 },
    );
    assert.equal(ok.variable.version, 2);
  });

  it('loses no update among 30 concurrent compare-and-set increments from 3 members', async (t) => {
    const { hub, a, b, c, events } = await setup(t);
    await hub.variables.setVariable({ principal: a, room: ROOM }, { key: 'counter', value: '0' });
    let conflicts = 0;
    async function increment(p: Principal): Promise<void> {
      for (;;) {
        const { variable } = await hub.variables.getVariable(
          { principal: p, room: ROOM },
          'counter',
        );
        const value = String(Number(variable.value) + 1);
        try {
          await hub.variables.setVariable(
            { principal: p, room: ROOM },
            { key: 'counter', value, expected_version: variable.version },
          );
          return;
        } catch (err) {
          if ((err as { code?: string }).code !== 'variable_conflict') throw err;
          conflicts++;
        }
      }
    }
    const members = [a, b, c];
    await Promise.all(Array.from({ length: 30 }, (_, i) => increment(members[i % 3]!)));
    const { variable } = await hub.variables.getVariable({ principal: a, room: ROOM }, 'counter');
    assert.deepEqual([variable.value, variable.version], ['30', 31]);
    assert.ok(conflicts > 0, 'the increments did race');
    const sets = (await events()).filter((e) => e.type === 'var.set').map((e) => e.body.value);
    assert.deepEqual(
      sets,
      Array.from({ length: 31 }, (_, i) => String(i)),
    );
  });
});

describe('Hub activity', () => {
  /** From 10:00: a note, alice adds and claims a task; 10:01 bob messages alice, who reads it; 10:02 alice leases and renews. */
  async function story(t: TestContext) {
    const env = await setup(t);
    const { hub, clock, admin, a, b } = env;
    clock.set(at(10, 0));
    const start = await env.head();
    await hub.rooms.writeNote({ principal: admin, room: ROOM }, { text: 'Auth work starts.' });
    const { task } = await hub.tasks.addTask(
      { principal: a, room: ROOM, agent: 'alice' },
      { title: 'Fix auth expiry check' },
    );
    await hub.tasks.claimTask({ principal: a, room: ROOM, agent: 'alice' }, { id: task.id });
    clock.set(at(10, 1));
    await hub.messaging.sendMessage(
      { principal: b, room: ROOM, agent: 'bob' },
      { to: 'alice', body: 'hello' },
    );
    await hub.messaging.readInbox({ principal: a, room: ROOM, agent: 'alice' });
    clock.set(at(10, 2));
    const mid = new Date(clock.now()).toISOString();
    await hub.leases.acquireLease(
      { principal: a, room: ROOM, agent: 'alice' },
      {
        paths: ['src/auth/**'],
        reason: 'token refresh',
      },
    );
    await hub.leases.renewLeases({ principal: a, room: ROOM, agent: 'alice' });
    const types = async (query: Parameters<typeof hub.rooms.activity>[1] = {}) =>
      (
        await hub.rooms.activity({ principal: admin, room: ROOM }, { limit: 100, ...query })
      ).events.map((e) => e.type);
    return { ...env, start, mid, task, types };
  }

  it('filters by type family, actor and time', async (t) => {
    const { types, mid, start, hub, admin } = await story(t);
    assert.deepEqual(await types({ types: ['task.*'] }), ['task.created', 'task.claimed']);
    assert.deepEqual(await types({ types: ['note', 'message'] }), ['note', 'message']);
    assert.deepEqual(await types({ actor: 'alice' }), [
      'agent.registered',
      'task.created',
      'task.claimed',
      'lease.acquired',
    ]);
    assert.deepEqual(await types({ actor: 'machine-b' }), [
      'member.joined',
      'agent.registered',
      'message',
    ]);
    assert.deepEqual(await types({ actor: 'owner', since: '1h' }), ['note']);
    const recent = ['note', 'task.created', 'task.claimed', 'message', 'lease.acquired'];
    assert.deepEqual(await types({ since: '1h' }), recent);
    assert.deepEqual(await types({ since: '90s' }), ['message', 'lease.acquired']);
    assert.deepEqual(await types({ since: mid }), ['lease.acquired']);
    assert.deepEqual(await types({ after: start }), recent);
    const all = (await hub.rooms.activity({ principal: admin, room: ROOM }, { limit: 100 })).events;
    assert.ok(all.length > recent.length, 'setup events are in the log too');
  });

  it('leaves receipts and lease renewals out unless asked for', async (t) => {
    const { types, start } = await story(t);
    assert.ok(!(await types()).some((x) => x === 'receipt' || x === 'lease.renewed'));
    assert.deepEqual(await types({ types: ['receipt'] }), ['receipt']);
    assert.deepEqual(await types({ types: ['lease.*'] }), ['lease.acquired', 'lease.renewed']);
    assert.deepEqual(await types({ types: ['*'], after: start }), [
      'note',
      'task.created',
      'task.claimed',
      'message',
      'receipt',
      'lease.acquired',
      'lease.renewed',
    ]);
  });

  it('pages with after and limit: has_more and next_after', async (t) => {
    const { hub, admin } = await story(t);
    const everything = (await hub.rooms.activity({ principal: admin, room: ROOM }, { limit: 100 }))
      .events;
    const paged: RoomEvent[] = [];
    let after = 0;
    for (;;) {
      const page = await hub.rooms.activity({ principal: admin, room: ROOM }, { after, limit: 3 });
      paged.push(...page.events);
      assert.equal(page.next_after, page.events.at(-1)?.seq ?? after);
      assert.ok(page.events.length <= 3);
      after = page.next_after;
      if (!page.has_more) break;
      assert.equal(page.events.length, 3);
    }
    assert.deepEqual(paged, everything);
    const end = await hub.rooms.activity({ principal: admin, room: ROOM }, { after, limit: 3 });
    assert.deepEqual([end.events, end.has_more, end.next_after], [[], false, after]);
  });

  it('refuses bad filters with precise codes', async (t) => {
    const { hub, admin } = await setup(t);
    const activity = (query: Record<string, unknown>) =>
      hub.rooms.activity({ principal: admin, room: ROOM }, query);
    for (const types of [['Task'], ['task.**'], ['task*'], [''], Array(21).fill('note')])
      await refused(activity({ types }), 'invalid_type', 'invalid');
    for (const since of ['yesterday', '1 hour', '-1h', '2026-13-45'])
      await refused(activity({ since }), 'invalid_since', 'invalid');
    for (const limit of [0, 101, 1.5])
      await refused(activity({ limit }), 'invalid_limit', 'invalid');
    await refused(activity({ after: -1 }), 'invalid_cursor', 'invalid');
    await refused(activity({ actor: '' }), 'invalid_actor', 'invalid');
  });

  it('renders one line per event', async (t) => {
    const { hub, a, admin, task } = await story(t);
    await hub.variables.setVariable(
      { principal: a, room: ROOM },
      { key: 'build.status', value: 'green', agent: 'alice' },
    );
    await hub.variables.setVariable(
      { principal: a, room: ROOM },
      { key: 'build.status', value: 'red' },
    );
    const { events } = await hub.rooms.activity(
      { principal: admin, room: ROOM },
      {
        types: ['task.claimed', 'message', 'lease.acquired', 'var.set'],
      },
    );
    assert.deepEqual(
      events.map((e) => renderActivity(e, { utc: true })),
      [
        `10:00 alice claimed ${task.id} Fix auth expiry check`,
        '10:01 bob → alice (chat): hello',
        '10:02 alice leased src/auth/** (exclusive: token refresh)',
        '10:02 alice set build.status = "green" (v1)',
        '10:02 machine-a set build.status = "red" (v2)',
      ],
    );
  });
});

describe('Hub shareSnippet', () => {
  it('posts a context message with its ref, fenced longer than any backtick run', async (t) => {
    const { hub, a, b } = await setup(t);
    const content = 'const fence = "```";\nconst longer = "````";';
    const { message } = await hub.messaging.shareSnippet(
      { principal: a, room: ROOM, agent: 'alice' },
      {
        path: './src/auth/token.ts',
        start_line: 3,
        end_line: 9,
        language: 'ts',
        content,
        note: 'The expiry check is off by one.',
      },
    );
    assert.equal(message.kind, 'context');
    assert.deepEqual([...message.recipients].sort(), ['bob', 'carol']);
    assert.deepEqual(message.refs, [
      { path: 'src/auth/token.ts', start_line: 3, end_line: 9, language: 'ts' },
    ]);
    assert.equal(
      message.body,
      [
        'The expiry check is off by one.',
        '',
        '`src/auth/token.ts` lines 3–9',
        '',
        '`````ts',
        content,
        '`````',
      ].join('\n'),
    );
    const [item] = (await hub.messaging.peekInbox({ principal: b, room: ROOM, agent: 'bob' }))
      .messages;
    assert.equal(item?.message.id, message.id);
  });

  it('refuses oversized or empty content and a path outside the repository', async (t) => {
    const { hub, a, head } = await setup(t);
    const before = await head();
    const share = (input: { path?: string; content: string }) =>
      hub.messaging.shareSnippet(
        { principal: a, room: ROOM, agent: 'alice' },
        { path: 'src/a.ts', ...input },
      );
    const big = await refused(
      share({ content: 'x'.repeat(256 * 1024 + 1) }),
      'snippet_too_large',
      'too_large',
    );
    assert.equal(big.details.limit_bytes, 256 * 1024);
    await refused(share({ content: '' }), 'empty_snippet', 'invalid');
    await refused(share({ path: '../x', content: 'x' }), 'invalid_path', 'invalid');
    assert.equal(await head(), before);
    await share({ content: 'x'.repeat(256 * 1024) });
  });

  it('to "*" with nobody else in the room still posts it, with no recipients', async (t) => {
    const { hub, a, b, c, events, head } = await setup(t);
    await hub.presence.retireAgent({ principal: b, room: ROOM }, 'bob');
    await hub.presence.retireAgent({ principal: c, room: ROOM }, 'carol');
    const before = await head();
    const { message, event } = await hub.messaging.shareSnippet(
      { principal: a, room: ROOM, agent: 'alice' },
      {
        path: 'README.md',
        content: '# huddle\n',
        to: '*',
      },
    );
    assert.deepEqual(message.recipients, []);
    assert.deepEqual(
      (await events(before)).map((e) => e.id),
      [event.id],
    );
  });
});

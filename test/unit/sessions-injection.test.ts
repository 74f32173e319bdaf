// Client sessions (the agent created offline, the session in the log, the digest) and the
// injection ledger that hooks and channels share, over SQLite in memory.

import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { refused, startRoomHub } from '../helpers/room-hub.js';

const ROOM = 'alpha';

async function setup(t: TestContext) {
  const room = await startRoomHub(t, ROOM);
  const a = await room.member('machine-a');
  const b = await room.member('machine-b');
  await room.hub.presence.registerAgent({ principal: b, room: ROOM }, { name: 'bob' });
  return { ...room, a, b };
}

describe('Hub sessions', () => {
  it('creates the agent offline, records the session, and returns the digest', async (t) => {
    const { hub, a, b, admin, events, head } = await setup(t);
    await hub.rooms.setCheckpoint(
      { principal: admin, room: ROOM },
      { text: '\nShip the auth fix first.\nThen docs.' },
    );
    const before = await head();
    const first = await hub.sessions.startSession(
      { principal: a, room: ROOM, agent: 'claude-a' },
      {
        session_id: 'sess-1',
        source: 'startup',
        client: 'claude-code',
        cwd: '/src/app',
      },
    );
    assert.equal(first.agent.status, 'offline');
    assert.equal(first.agent.client, 'claude-code');
    const types = (await events(before)).map((e) => e.type);
    assert.deepEqual(types, ['agent.registered', 'agent.session']);
    assert.deepEqual(first.event.body, {
      agent: 'claude-a',
      session_id: 'sess-1',
      source: 'startup',
      client: 'claude-code',
    });
    assert.equal(first.digest.checkpoint.version, 1);
    assert.deepEqual([first.digest.unread, first.digest.uninjected], [0, 0]);

    await hub.messaging.sendMessage(
      { principal: b, room: ROOM, agent: 'bob' },
      { to: 'claude-a', body: 'one' },
    );
    await hub.messaging.sendMessage(
      { principal: b, room: ROOM, agent: 'bob' },
      { to: 'claude-a', body: 'two' },
    );
    await hub.messaging.injectInbox({ principal: a, room: ROOM, agent: 'claude-a' }, { limit: 1 });
    await hub.tasks.addTask(
      { principal: a, room: ROOM, agent: 'claude-a' },
      { title: 'Fix auth', assignee: 'claude-a' },
    );
    await hub.leases.acquireLease(
      { principal: a, room: ROOM, agent: 'claude-a' },
      { paths: ['src/auth/**'] },
    );
    await hub.leases.acquireLease(
      { principal: b, room: ROOM, agent: 'bob' },
      { paths: ['docs/**'] },
    );
    const resumed = await hub.sessions.startSession(
      { principal: a, room: ROOM, agent: 'claude-a' },
      {
        session_id: 'sess-1',
        source: 'compact',
      },
    );
    assert.deepEqual([resumed.digest.unread, resumed.digest.uninjected], [2, 1]);
    assert.deepEqual(
      resumed.digest.tasks.map((x) => x.title),
      ['Fix auth'],
    );
    assert.deepEqual(
      resumed.digest.leases.map((l) => l.paths),
      [['src/auth/**']],
    );
    assert.deepEqual(
      await hub.sessions.agentDigest({ principal: a, room: ROOM, agent: 'claude-a' }),
      resumed.digest,
    );
  });

  it('leaves an agent that is online as it is', async (t) => {
    const { hub, a } = await setup(t);
    await hub.presence.registerAgent(
      { principal: a, room: ROOM },
      { name: 'claude-a', model: 'opus' },
    );
    const { agent } = await hub.sessions.startSession(
      { principal: a, room: ROOM, agent: 'claude-a' },
      { session_id: 's' },
    );
    assert.deepEqual([agent.status, agent.model], ['online', 'opus']);
  });

  it('refuses a bad session id or source, and another member’s agent, writing nothing', async (t) => {
    const { hub, a, head } = await setup(t);
    const before = await head();
    const bad = await refused(
      hub.sessions.startSession(
        { principal: a, room: ROOM, agent: 'claude-a' },
        { session_id: 'has spaces' },
      ),
      'invalid_session',
      'invalid',
    );
    assert.equal(bad.details.field, 'session_id');
    const source = await refused(
      hub.sessions.startSession(
        { principal: a, room: ROOM, agent: 'claude-a' },
        { session_id: 's', source: 'reboot' },
      ),
      'invalid_session',
      'invalid',
    );
    assert.equal(source.details.field, 'source');
    await refused(
      hub.sessions.startSession({ principal: a, room: ROOM, agent: 'bob' }, { session_id: 's' }),
      'agent_name_taken',
      'conflict',
    );
    assert.equal(await head(), before);
  });
});

describe('Hub injectInbox', () => {
  it('hands each message to exactly one of many concurrent callers', async (t) => {
    const { hub, a, b } = await setup(t);
    await hub.presence.registerAgent({ principal: a, room: ROOM }, { name: 'alice' });
    const sent = [];
    for (let i = 0; i < 12; i++)
      sent.push(
        (
          await hub.messaging.sendMessage(
            { principal: b, room: ROOM, agent: 'bob' },
            { to: 'alice', body: `m${i}` },
          )
        ).message.id,
      );
    const takes = await Promise.all(
      Array.from({ length: 8 }, () =>
        hub.messaging.injectInbox({ principal: a, room: ROOM, agent: 'alice' }, { limit: 5 }),
      ),
    );
    const taken = takes.flatMap((r) => r.messages.map((m) => m.message.id));
    assert.deepEqual([...taken].sort(), [...sent].sort());
    for (const r of takes) for (const m of r.messages) assert.ok(m.receipt.injected_at);
    assert.deepEqual(
      (await hub.messaging.injectInbox({ principal: a, room: ROOM, agent: 'alice' })).messages,
      [],
    );
  });

  it('skips messages already read, and those of other agents', async (t) => {
    const { hub, a, b } = await setup(t);
    await hub.presence.registerAgent({ principal: a, room: ROOM }, { name: 'alice' });
    await hub.presence.registerAgent({ principal: a, room: ROOM }, { name: 'carl' });
    const read = await hub.messaging.sendMessage(
      { principal: b, room: ROOM, agent: 'bob' },
      { to: 'alice', body: 'read it' },
    );
    await hub.messaging.readInbox({ principal: a, room: ROOM, agent: 'alice' });
    await hub.messaging.sendMessage(
      { principal: b, room: ROOM, agent: 'bob' },
      { to: 'carl', body: 'not yours' },
    );
    const fresh = await hub.messaging.sendMessage(
      { principal: b, room: ROOM, agent: 'bob' },
      { to: 'alice', body: 'new' },
    );
    const { messages } = await hub.messaging.injectInbox({
      principal: a,
      room: ROOM,
      agent: 'alice',
    });
    assert.deepEqual(
      messages.map((m) => m.message.id),
      [fresh.message.id],
    );
    assert.notEqual(read.message.id, fresh.message.id);
  });

  it('with wait, answers as soon as a message to the agent arrives, not for others', async (t) => {
    const { hub, a, b } = await setup(t);
    await hub.presence.registerAgent({ principal: a, room: ROOM }, { name: 'alice' });
    await hub.presence.registerAgent({ principal: a, room: ROOM }, { name: 'carl' });
    const waiting = hub.messaging.injectInbox(
      { principal: a, room: ROOM, agent: 'alice' },
      { wait: 20 },
    );
    await hub.messaging.sendMessage(
      { principal: b, room: ROOM, agent: 'bob' },
      { to: 'carl', body: 'not for alice' },
    );
    const sent = await hub.messaging.sendMessage(
      { principal: b, room: ROOM, agent: 'bob' },
      { to: 'alice', body: 'wake' },
    );
    const { messages } = await waiting;
    assert.deepEqual(
      messages.map((m) => m.message.id),
      [sent.message.id],
    );
  });

  it('refuses a limit or wait out of range, and an agent of another member', async (t) => {
    const { hub, a } = await setup(t);
    await hub.presence.registerAgent({ principal: a, room: ROOM }, { name: 'alice' });
    await refused(
      hub.messaging.injectInbox({ principal: a, room: ROOM, agent: 'alice' }, { limit: 0 }),
      'invalid_limit',
      'invalid',
    );
    await refused(
      hub.messaging.injectInbox({ principal: a, room: ROOM, agent: 'alice' }, { wait: 10_000 }),
      'invalid_wait',
      'invalid',
    );
    await refused(
      hub.messaging.injectInbox({ principal: a, room: ROOM, agent: 'bob' }),
      'not_your_agent',
      'forbidden',
    );
  });
});

// Tasks, variables, leases, shares and activity over real HTTP: concurrent claims through the
// API, each refusal's status and code, nothing stored on a refusal, and live events on the stream.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHubClient, HubError, type HubClient } from '../../src/client/hub-client.js';
import { connectStream } from '../../src/client/stream-client.js';
import type { RoomEvent } from '../../src/core/types.js';
import { refusedBy as refused } from '../helpers/hub-refusal.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

const ROOM = 'coord-http';
let hub: TestHub;
let owner: HubClient;
let adminToken: string;
const agents: Array<{ name: string; client: HubClient }> = [];

async function head(): Promise<number> {
  return (await owner.read(ROOM, 1)).cursor;
}

before(async () => {
  hub = await startTestHub();
  const anonymous = createHubClient({ url: hub.url });
  const created = await anonymous.createRoom({ name: ROOM, label: 'owner' });
  adminToken = created.token;
  owner = createHubClient({ url: hub.url, token: adminToken });
  await owner.registerAgent(ROOM, { name: 'lead', client: 'human' });
  // Twenty agents, each on its own member (machine), as twenty separate sessions would be.
  for (let i = 0; i < 20; i++) {
    const { code } = await owner.createCode(ROOM, { scopes: ['read', 'write'] });
    const joined = await anonymous.join({ code, label: `machine-${i}` });
    const client = createHubClient({ url: hub.url, token: joined.token });
    await client.registerAgent(ROOM, { name: `agent-${i}` });
    agents.push({ name: `agent-${i}`, client });
  }
});
after(() => hub.stop());

describe('task board over HTTP', () => {
  test('20 agents claim one task at once: exactly one wins, the others get 409 naming it', async () => {
    const { task } = await owner.addTask(ROOM, 'lead', { title: 'Contended', priority: 'high' });
    const outcomes = await Promise.allSettled(
      agents.map((a) => a.client.taskStep(ROOM, a.name, task.id, 'claim')),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    assert.equal(won.length, 1);
    const holder = (won[0] as PromiseFulfilledResult<{ task: { assignee: string } }>).value.task
      .assignee;
    for (const o of outcomes) {
      if (o.status === 'fulfilled') continue;
      const err = o.reason as HubError;
      assert.deepEqual([err.status, err.code], [409, 'task_claimed']);
      assert.equal(err.details.assignee, holder);
      assert.match(err.message, new RegExp(holder));
    }
    const { events } = await owner.activity(ROOM, { types: ['task.claimed'] });
    assert.equal(events.filter((e) => (e.body.task as { id: string }).id === task.id).length, 1);
  });

  test('refusals carry their status and store nothing', async () => {
    const [a, b] = agents;
    const before = await head();
    await refused(owner.addTask(ROOM, 'lead', { title: '' }), 400, 'invalid_title');
    await refused(owner.addTask(ROOM, 'lead', { title: 'x'.repeat(201) }), 400, 'invalid_title');
    await refused(
      owner.addTask(ROOM, 'lead', { title: 'big', description: 'd'.repeat(16 * 1024 + 1) }),
      413,
      'description_too_large',
    );
    await refused(
      owner.addTask(ROOM, 'lead', { title: 't', depends_on: ['T-0000'] }),
      404,
      'dependency_not_found',
    );
    await refused(
      owner.addTask(ROOM, 'lead', { title: 't', priority: 'urgent' }),
      400,
      'invalid_priority',
    );
    await refused(owner.taskStep(ROOM, 'lead', 'T-zzzz', 'claim'), 404, 'task_not_found');
    await refused(owner.taskStep(ROOM, 'lead', 'nope', 'claim'), 400, 'invalid_task_id');
    await refused(a!.client.addTask(ROOM, 'lead', { title: 't' }), 403, 'not_your_agent');
    await refused(
      owner.planTasks(ROOM, 'lead', [
        { ref: 'a', title: 'A', depends_on: ['b'] },
        { ref: 'b', title: 'B', depends_on: ['a'] },
      ]),
      409,
      'dependency_cycle',
    );
    assert.equal(await head(), before, 'no refusal appended an event');
    // An unknown field in the body is refused by the schema.
    const res = await fetch(`${hub.url}/v1/rooms/${ROOM}/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'lead', title: 't', owner: 'me' }),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_request');
    const { task } = await owner.addTask(ROOM, 'lead', { title: 'Held' });
    await a!.client.taskStep(ROOM, a!.name, task.id, 'claim');
    await refused(b!.client.taskStep(ROOM, b!.name, task.id, 'done'), 409, 'task_claimed');
    // The room admin acts on a task someone else holds only with force.
    await refused(
      owner.taskStep(ROOM, 'lead', task.id, 'done', 'by the lead'),
      409,
      'task_claimed',
    );
    const done = await owner.taskStep(ROOM, 'lead', task.id, 'done', 'by the lead', true);
    assert.equal(done.task.status, 'done');
    await refused(a!.client.taskStep(ROOM, a!.name, task.id, 'start'), 409, 'task_closed');
  });

  test('a retried add with the same idempotency key creates one task', async () => {
    const before = (await owner.tasks(ROOM, { status: ['all'] })).tasks.length;
    const res = await Promise.all(
      [1, 2].map(() =>
        fetch(`${hub.url}/v1/rooms/${ROOM}/tasks`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${adminToken}`,
            'content-type': 'application/json',
            'idempotency-key': 'add-once',
          },
          body: JSON.stringify({ agent: 'lead', title: 'Once' }),
        }).then((r) => r.json() as Promise<{ task: { id: string } }>),
      ),
    );
    assert.equal(res[0]!.task.id, res[1]!.task.id);
    assert.equal((await owner.tasks(ROOM, { status: ['all'] })).tasks.length, before + 1);
  });
});

describe('admin overrides over HTTP', () => {
  /** POSTs `body` as the room's admin, with an idempotency key. */
  const post = (path: string, key: string, body: unknown) =>
    fetch(`${hub.url}/v1/rooms/${ROOM}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${adminToken}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify(body),
    });

  test('two agents of the admin member: 409 naming the holder and --force; force overrides, recorded and told', async () => {
    // lead and deputy share the admin member, as two agents on one machine do.
    await owner.registerAgent(ROOM, { name: 'deputy', client: 'codex' });
    const { task } = await owner.addTask(ROOM, 'lead', { title: 'Lead work' });
    await owner.taskStep(ROOM, 'lead', task.id, 'start');
    const before = await head();
    for (const attempt of [
      () => owner.taskStep(ROOM, 'deputy', task.id, 'done'),
      () => owner.taskStep(ROOM, 'deputy', task.id, 'cancel'),
      () => owner.taskStep(ROOM, 'deputy', task.id, 'unclaim'),
      () => owner.updateTask(ROOM, 'deputy', task.id, { priority: 'low' }),
      () => owner.handoffTask(ROOM, 'deputy', task.id, 'deputy'),
    ]) {
      const err = await refused(attempt(), 409, 'task_claimed');
      assert.equal(err.details.assignee, 'lead');
      assert.match(
        err.message,
        /in progress by lead; only lead can change it\..*--force \(force: true\)/,
      );
    }
    assert.equal(await head(), before, 'no refusal appended an event');

    const updated = await owner.updateTask(ROOM, 'deputy', task.id, {
      priority: 'low',
      force: true,
    });
    assert.deepEqual(updated.event?.body.override, {
      by: 'deputy',
      member: 'owner',
      holder: 'lead',
    });
    const handed = await owner.handoffTask(ROOM, 'deputy', task.id, 'deputy', 'mine now', true);
    assert.deepEqual([handed.task.assignee, handed.task.status], ['deputy', 'claimed']);
    assert.equal((handed.event?.body.override as { holder: string }).holder, 'lead');
    const { messages } = await owner.peekInbox(ROOM, 'lead');
    const told = messages.map((i) => i.message).filter((m) => m.from === 'deputy');
    assert.equal(told.length, 2, JSON.stringify(told));
    assert.match(
      told[0]!.body,
      /deputy \(admin member "owner"\) overrode your hold: .*changed its priority/,
    );
    assert.match(
      told[1]!.body,
      new RegExp(`${task.id} "Lead work" was yours, and deputy handed it to deputy`),
    );
    // A change that overrides nobody records no override, with force or without.
    const own = await owner.taskStep(ROOM, 'deputy', task.id, 'done', 'shipped', true);
    assert.equal(own.event?.body.override, undefined);
  });

  test('force from a member without admin is 403 force_requires_admin; claim and start take no force', async () => {
    const [a, b] = agents;
    const { task } = await a!.client.addTask(ROOM, a!.name, { title: 'Plain' });
    await a!.client.taskStep(ROOM, a!.name, task.id, 'claim');
    const before = await head();
    const err = await refused(
      b!.client.taskStep(ROOM, b!.name, task.id, 'done', undefined, true),
      403,
      'force_requires_admin',
    );
    assert.match(err.message, /"admin" scope/);
    await refused(
      b!.client.handoffTask(ROOM, b!.name, task.id, b!.name, undefined, true),
      403,
      'force_requires_admin',
    );
    await refused(
      b!.client.updateTask(ROOM, b!.name, task.id, { title: 'x', force: true }),
      403,
      'force_requires_admin',
    );
    const claim = await post(`/tasks/${task.id}/claim`, 'claim-force', {
      agent: 'lead',
      force: true,
    });
    assert.equal(claim.status, 400);
    assert.match(JSON.stringify(await claim.json()), /force/);
    assert.equal(await head(), before);
  });

  test('an idempotency key covers force: reused without it is 409 idempotency_key_reused', async () => {
    const [a] = agents;
    const { task } = await a!.client.addTask(ROOM, a!.name, { title: 'Keyed' });
    await a!.client.taskStep(ROOM, a!.name, task.id, 'claim');
    const forced = await post(`/tasks/${task.id}/cancel`, 'cancel-1', {
      agent: 'lead',
      force: true,
    });
    assert.equal(forced.status, 200);
    const first = (await forced.json()) as { event: RoomEvent };
    const again = await post(`/tasks/${task.id}/cancel`, 'cancel-1', {
      agent: 'lead',
      force: true,
    });
    assert.equal(((await again.json()) as { event: RoomEvent }).event.id, first.event.id);
    const plain = await post(`/tasks/${task.id}/cancel`, 'cancel-1', { agent: 'lead' });
    assert.equal(plain.status, 409);
    const body = (await plain.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'idempotency_key_reused');
  });

  test("another agent's lease: 403 not_your_lease for the admin's agent too; force releases it and tells the holder", async () => {
    const [a, b] = agents;
    const { lease } = await a!.client.lease(ROOM, a!.name, { paths: ['ops/**'] });
    const err = await refused(
      owner.release(ROOM, 'lead', { ids: [lease.id] }),
      403,
      'not_your_lease',
    );
    assert.match(err.message, new RegExp(`${lease.id} belongs to ${a!.name}.*--force`));
    await refused(
      b!.client.release(ROOM, b!.name, { ids: [lease.id], force: true }),
      403,
      'force_requires_admin',
    );
    const { released, event } = await owner.release(ROOM, 'lead', { ids: [lease.id], force: true });
    assert.deepEqual(
      released.map((l) => l.id),
      [lease.id],
    );
    assert.deepEqual(event?.body.override, { by: 'lead', member: 'owner', holders: [a!.name] });
    const { messages } = await a!.client.peekInbox(ROOM, a!.name);
    const told = messages.map((i) => i.message).find((m) => m.body.includes(lease.id));
    assert.equal(told?.from, 'lead');
    assert.match(told!.body, /overrode your hold: lead released .*ops\/\*\*.*leased by you/);
  });
});

describe('variables, leases and shares over HTTP', () => {
  test('variable refusals: 409 with the current value, 404, 400, 413', async () => {
    await owner.setVariable(ROOM, 'deploy.target', { value: 'staging' });
    const err = await refused(
      owner.setVariable(ROOM, 'deploy.target', { value: 'prod', expected_version: 7 }),
      409,
      'variable_conflict',
    );
    assert.equal((err.details.current as { value: string }).value, 'staging');
    await refused(owner.variable(ROOM, 'missing'), 404, 'variable_not_found');
    await refused(owner.setVariable(ROOM, 'bad key', { value: 'x' }), 400, 'invalid_key');
    await refused(
      owner.setVariable(ROOM, 'big', { value: 'v'.repeat(8 * 1024 + 1) }),
      413,
      'value_too_large',
    );
    await refused(owner.deleteVariable(ROOM, 'missing'), 404, 'variable_not_found');
  });

  test('a conflicting lease is a 409 naming holder, paths, reason and expiry', async () => {
    const [a, b] = agents;
    const { lease } = await a!.client.lease(ROOM, a!.name, {
      paths: ['src/auth/**'],
      reason: 'T-auth refactor',
    });
    const err = await refused(
      b!.client.lease(ROOM, b!.name, { paths: ['src/auth/token.ts'] }),
      409,
      'lease_conflict',
    );
    assert.match(
      err.message,
      new RegExp(`${a!.name}.*${lease.id}.*T-auth refactor.*${lease.expires_at}`),
    );
    const conflict = (err.details.conflicts as Array<Record<string, unknown>>)[0]!;
    assert.equal(conflict.holder, a!.name);
    assert.deepEqual(conflict.paths, ['src/auth/**']);
    await refused(
      b!.client.lease(ROOM, b!.name, { paths: ['../etc/passwd'] }),
      400,
      'invalid_path',
    );
    await refused(
      b!.client.lease(ROOM, b!.name, { paths: ['x'], ttl_seconds: 1 }),
      400,
      'invalid_ttl',
    );
    await refused(b!.client.release(ROOM, b!.name, { ids: [lease.id] }), 403, 'not_your_lease');
    const check = await b!.client.leases(ROOM, { path: 'src/auth/token.ts' });
    assert.deepEqual(
      check.leases.map((l) => l.id),
      [lease.id],
    );
    await a!.client.release(ROOM, a!.name, { paths: ['src/auth/**'] });
    await b!.client.lease(ROOM, b!.name, { paths: ['src/auth/token.ts'] });
  });

  test('a share over 256 KiB is refused with 413 and nothing is sent', async () => {
    const [a] = agents;
    const before = await head();
    await refused(
      a!.client.share(ROOM, a!.name, { path: 'big.txt', content: 'x'.repeat(256 * 1024 + 1) }),
      413,
      'snippet_too_large',
    );
    assert.equal(await head(), before);
    const { message } = await a!.client.share(ROOM, a!.name, {
      path: 'src/a.ts',
      start_line: 3,
      end_line: 4,
      language: 'ts',
      content: 'const a = 1;\nconst b = 2;\n',
      to: 'lead',
    });
    assert.deepEqual(message.refs, [
      { path: 'src/a.ts', start_line: 3, end_line: 4, language: 'ts' },
    ]);
    assert.match(message.body, /`src\/a.ts` lines 3–4\n\n```ts\nconst a = 1;/);
  });
});

test('watchers see task, variable and lease events live', async () => {
  const seen: RoomEvent[] = [];
  const from = await head();
  const stream = connectStream({
    url: hub.url,
    token: adminToken,
    subscriptions: [{ room: ROOM, after: from }],
    onEvent: (e) => void seen.push(e),
  });
  try {
    const { task } = await owner.addTask(ROOM, 'lead', { title: 'Live' });
    await owner.taskStep(ROOM, 'lead', task.id, 'claim');
    await owner.setVariable(ROOM, 'live.key', { value: '1' });
    await owner.lease(ROOM, 'lead', { paths: ['docs/**'], mode: 'shared' });
    const want = ['task.created', 'task.claimed', 'var.set', 'lease.acquired'];
    for (let i = 0; i < 100 && !want.every((t) => seen.some((e) => e.type === t)); i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      seen.filter((e) => want.includes(e.type)).map((e) => e.type),
      want,
    );
  } finally {
    stream.close();
  }
});

// Client sessions, the digest and the injection ledger over real HTTP: the answers, each refusal's
// status and code, and nothing written on a refusal.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHubClient, type HubClient } from '../../src/client/hub-client.js';
import { refusedBy as refused } from '../helpers/hub-refusal.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

const ROOM = 'sessions-http';
let hub: TestHub;
let owner: HubClient;
let other: HubClient;
let token: string;

const head = async () => (await owner.read(ROOM, 1)).cursor;

/** A raw POST, for bodies the client would never send. */
const post = (path: string, body: unknown) =>
  fetch(`${hub.url}/v1/rooms/${ROOM}/agents/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

before(async () => {
  hub = await startTestHub();
  const anonymous = createHubClient({ url: hub.url });
  const created = await anonymous.createRoom({ name: ROOM, label: 'owner' });
  token = created.token;
  owner = createHubClient({ url: hub.url, token });
  const { code } = await owner.createCode(ROOM, { scopes: ['read', 'write'] });
  other = createHubClient({ url: hub.url, token: (await anonymous.join({ code })).token });
  await other.registerAgent(ROOM, { name: 'bob' });
});
after(() => hub.stop());

test('a session start creates the agent offline and answers 201 with the event and the digest', async () => {
  const r = await owner.startSession(ROOM, 'claude-x', {
    session_id: 'abc-1',
    source: 'resume',
    client: 'claude-code',
  });
  assert.equal(r.agent.status, 'offline');
  assert.equal(r.event.type, 'agent.session');
  assert.deepEqual(r.digest, {
    room: ROOM,
    agent: 'claude-x',
    checkpoint: r.digest.checkpoint,
    unread: 0,
    uninjected: 0,
    tasks: [],
    leases: [],
  });
  await other.send(ROOM, 'bob', { to: 'claude-x', body: 'hi' });
  const digest = await owner.digest(ROOM, 'claude-x');
  assert.deepEqual([digest.unread, digest.uninjected], [1, 1]);
  const { messages } = await owner.inject(ROOM, 'claude-x');
  assert.equal(messages.length, 1);
  assert.ok(messages[0]!.receipt.injected_at);
  assert.deepEqual((await owner.inject(ROOM, 'claude-x')).messages, []);
  const after = await owner.digest(ROOM, 'claude-x');
  assert.deepEqual([after.unread, after.uninjected], [1, 0]);
});

test('refusals: bad session fields, unknown fields, limits, other members’ agents; nothing written', async () => {
  const before = await head();
  const bad = await refused(
    owner.startSession(ROOM, 'claude-x', { session_id: '' }),
    400,
    'invalid_session',
  );
  assert.equal(bad.details && (bad.details as { field: string }).field, 'session_id');
  await refused(
    owner.startSession(ROOM, 'claude-x', { session_id: 's', source: 'boot' }),
    400,
    'invalid_session',
  );
  await refused(
    owner.startSession(ROOM, 'Bad Name', { session_id: 's' }),
    400,
    'invalid_agent_name',
  );
  await refused(owner.startSession(ROOM, 'bob', { session_id: 's' }), 409, 'agent_name_taken');
  const unknownField = await post('claude-x/sessions', { session_id: 's', extra: 1 });
  assert.equal(unknownField.status, 400);
  assert.equal(
    ((await unknownField.json()) as { error: { code: string } }).error.code,
    'invalid_request',
  );
  const noId = await post('claude-x/sessions', {});
  assert.equal(noId.status, 400);
  await refused(owner.inject(ROOM, 'claude-x', { limit: 0 }), 400, 'invalid_limit');
  await refused(owner.inject(ROOM, 'claude-x', { wait: 301 }), 400, 'invalid_wait');
  await refused(owner.inject(ROOM, 'bob'), 403, 'not_your_agent');
  await refused(owner.inject(ROOM, 'nobody'), 404, 'agent_not_found');
  await refused(owner.digest(ROOM, 'bob'), 403, 'not_your_agent');
  const wrongType = await post('claude-x/inbox/inject', { wait: 'soon' });
  assert.equal(wrongType.status, 400);
  assert.equal(await head(), before, 'no event written');
});

test('a long-poll inject answers when a message arrives', async () => {
  const waiting = owner.inject(ROOM, 'claude-x', { wait: 10 });
  const t0 = Date.now();
  setTimeout(() => void other.send(ROOM, 'bob', { to: 'claude-x', body: 'wake' }), 100);
  const { messages } = await waiting;
  assert.equal(messages.length, 1);
  assert.equal(messages[0]!.message.body, 'wake');
  assert.ok(Date.now() - t0 < 5000);
});

test('a long-poll inject whose caller went away takes nothing: the message stays for the next taker', async () => {
  const controller = new AbortController();
  const gone = fetch(`${hub.url}/v1/rooms/${ROOM}/agents/claude-x/inbox/inject`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ wait: 20 }),
    signal: controller.signal,
  }).catch(() => null);
  await new Promise((r) => setTimeout(r, 200));
  controller.abort();
  await gone;
  await new Promise((r) => setTimeout(r, 100));
  const sent = await other.send(ROOM, 'bob', { to: 'claude-x', body: 'after the hang-up' });
  await new Promise((r) => setTimeout(r, 200));
  const { messages } = await owner.inject(ROOM, 'claude-x');
  assert.deepEqual(
    messages.map((m) => m.message.id),
    [sent.message.id],
  );
});

// Sending messages over the stream: the `send` frame runs the same use-case as the REST route.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { createHubClient } from '../../src/client/hub-client.js';
import type { Message, RoomEvent } from '../../src/core/types.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

let hub: TestHub;
let token: string;
before(async () => {
  hub = await startTestHub();
  const created = await createHubClient({ url: hub.url }).createRoom({ name: 'wire', label: 'x' });
  token = created.token;
  const client = createHubClient({ url: hub.url, token });
  await client.registerAgent('wire', { name: 'alice' });
  await client.registerAgent('wire', { name: 'bob' });
});
after(() => hub.stop());

function open(): Promise<{ ws: WebSocket; frames: Array<Record<string, unknown>> }> {
  const ws = new WebSocket(hub.url.replace('http', 'ws') + '/v1/stream', {
    headers: { authorization: `Bearer ${token}` },
  });
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
  return new Promise((resolve) => ws.on('open', () => resolve({ ws, frames })));
}

async function waitFor<T>(find: () => T | undefined): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}

test('a send frame stores the message, answers sent, and the recipient gets it live', async () => {
  const bob = await open();
  bob.ws.send(JSON.stringify({ type: 'subscribe', room: 'wire', after: 0, agent: 'bob' }));
  await waitFor(() => bob.frames.find((f) => f.type === 'subscribed'));
  const alice = await open();
  alice.ws.send(
    JSON.stringify({
      type: 'send',
      room: 'wire',
      agent: 'alice',
      ref: 'r1',
      message: { to: 'bob', kind: 'question', body: 'over the wire?' },
    }),
  );
  const sent = await waitFor(() => alice.frames.find((f) => f.type === 'sent' && f.ref === 'r1'));
  const message = sent.message as Message;
  assert.equal(message.from, 'alice');
  assert.deepEqual(message.recipients, ['bob']);
  const got = await waitFor(() =>
    bob.frames.find((f) => f.type === 'event' && (f.event as RoomEvent).type === 'message'),
  );
  assert.equal(((got.event as RoomEvent).body.message as Message).id, message.id);
  const { receipts } = await createHubClient({ url: hub.url, token }).receipts('wire', message.id);
  assert.deepEqual(
    receipts.map((r) => r.agent),
    ['bob'],
  );
  alice.ws.close();
  bob.ws.close();
});

test('a refused send answers an error frame with its ref and sends nothing', async () => {
  const alice = await open();
  alice.ws.send(
    JSON.stringify({
      type: 'send',
      room: 'wire',
      agent: 'alice',
      ref: 'r2',
      message: { to: 'bbo', body: 'x' },
    }),
  );
  const error = await waitFor(() => alice.frames.find((f) => f.type === 'error' && f.ref === 'r2'));
  assert.equal(error.code, 'unknown_recipient');
  assert.deepEqual((error.details as { suggestions: Record<string, string[]> }).suggestions.bbo, [
    'bob',
  ]);
  alice.ws.send(
    JSON.stringify({
      type: 'send',
      room: 'wire',
      agent: 'alice',
      ref: 'r3',
      message: { to: 'bob', body: 'x', colour: 1 },
    }),
  );
  const invalid = await waitFor(() =>
    alice.frames.find((f) => f.type === 'error' && f.ref === undefined),
  );
  assert.equal(invalid.code, 'invalid_frame');
  alice.ws.close();
});

test("a send frame acts only for the agents of the connection's member", async () => {
  const other = await createHubClient({ url: hub.url, token }).createCode('wire');
  const joined = await createHubClient({ url: hub.url }).join({ code: other.code, label: 'y' });
  await createHubClient({ url: hub.url, token: joined.token }).registerAgent('wire', {
    name: 'carol',
  });
  const alice = await open();
  alice.ws.send(
    JSON.stringify({
      type: 'send',
      room: 'wire',
      agent: 'carol',
      ref: 'r4',
      message: { to: 'bob', body: 'forged' },
    }),
  );
  const error = await waitFor(() => alice.frames.find((f) => f.type === 'error' && f.ref === 'r4'));
  assert.equal(error.code, 'not_your_agent');
  alice.ws.close();
});

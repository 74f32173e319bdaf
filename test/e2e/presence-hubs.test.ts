// Presence when two hubs share one SQLite file, each with its own local bus: an agent's stream
// connection closing on one hub leaves it online while the other hub still holds one.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHubClient } from '../../src/client/hub-client.js';
import type { Hub } from '../../src/core/hub.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { openPeer, type WsPeer } from '../helpers/ws-peer.js';

const ROOM = 'shared-presence';

/** Resolves once the hub has handled the next close of an agent's connection, store writes done. */
function nextDisconnect(hub: Hub): Promise<void> {
  const original = hub.presence.agentDisconnected;
  return new Promise((resolve) => {
    hub.presence.agentDisconnected = async (...args) => {
      hub.presence.agentDisconnected = original;
      try {
        await original(...args);
      } finally {
        resolve();
      }
    };
  });
}

/** Resolves with the ids of the hub's next renewal of its live connections. */
function nextRenewal(hub: Hub): Promise<string[]> {
  const original = hub.presence.renewConnections;
  return new Promise((resolve) => {
    hub.presence.renewConnections = async (ids) => {
      hub.presence.renewConnections = original;
      await original(ids);
      resolve(ids);
    };
  });
}

async function connectAgent(hub: TestHub, token: string): Promise<WsPeer> {
  const peer = await openPeer(`${hub.url.replace(/^http/, 'ws')}/v1/stream`, {
    headers: { authorization: `Bearer ${token}` },
  });
  peer.ws.send(JSON.stringify({ type: 'subscribe', ref: 's', room: ROOM, agent: 'bob' }));
  const answer = await peer.until((f) => f.ref === 's');
  assert.equal(answer?.type, 'subscribed', JSON.stringify(answer));
  return peer;
}

test('an agent connected to two hubs goes offline only when its connections on both closed', async () => {
  const a = await startTestHub({ HUDDLE_HEARTBEAT_SECONDS: '1' });
  let b: TestHub | undefined;
  try {
    b = await startTestHub({ HUDDLE_STORE: a.config.store, HUDDLE_HEARTBEAT_SECONDS: '1' });
    const created = await createHubClient({ url: a.url }).createRoom({
      name: ROOM,
      label: 'owner',
    });
    const owner = createHubClient({ url: a.url, token: created.token });
    const { code } = await owner.createCode(ROOM, { scopes: ['read', 'write'] });
    const { token } = await createHubClient({ url: b.url }).join({ code, label: 'machine-b' });
    await createHubClient({ url: b.url, token }).registerAgent(ROOM, { name: 'bob' });
    const statusOn = async (hub: TestHub) =>
      (await createHubClient({ url: hub.url, token }).agents(ROOM)).agents[0]!.status;

    const onA = await connectAgent(a, token);
    const onB = await connectAgent(b, token);
    assert.equal(await statusOn(a), 'online');
    // Each hub renews its own connections with every heartbeat.
    assert.equal((await nextRenewal(a.hub)).length, 1);

    const closedOnA = nextDisconnect(a.hub);
    await onA.close();
    await closedOnA;
    assert.equal(await statusOn(a), 'online');
    assert.equal(await statusOn(b), 'online');

    const closedOnB = nextDisconnect(b.hub);
    await onB.close();
    await closedOnB;
    assert.equal(await statusOn(a), 'offline');
    const statuses = (await a.store.listEvents(created.room.id, 0, 100))
      .filter((e) => e.type === 'agent.status')
      .map((e) => [e.body.from, e.body.to]);
    // One change only, whether the hub saw the close or, on a busy machine, a missed heartbeat.
    assert.deepEqual(statuses, [['online', 'offline']]);
  } finally {
    await b?.stop();
    await a.stop();
  }
});

// The Hub's presence over the store's live connections: a close takes an agent offline only when
// no other connection, on any hub, is live; connections expire unless their hub renews them.

import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { startRoomHub } from '../helpers/room-hub.js';

const ROOM = 'presence';
const OFFLINE_AFTER_MS = 60_000;

async function setup(t: TestContext) {
  const started = await startRoomHub(t, ROOM);
  const { hub, member } = started;
  const bob = await member('machine-b');
  await hub.presence.registerAgent({ principal: bob, room: ROOM }, { name: 'bob' });
  const room = (await hub.stream.authorizeStream(bob, ROOM)).id;
  const status = async () =>
    (await hub.presence.listAgents({ principal: bob, room: ROOM })).agents[0]!.status;
  return { ...started, room, status };
}

describe('Hub presence over live connections', () => {
  it('stays online while another connection of the agent is live', async (t) => {
    const { hub, room, status } = await setup(t);
    await hub.presence.agentConnected(room, 'bob', 'on-a');
    await hub.presence.agentConnected(room, 'bob', 'on-b');
    await hub.presence.agentDisconnected(room, 'bob', 'on-a', 'closed');
    assert.equal(await status(), 'online');
    await hub.presence.agentDisconnected(room, 'bob', 'on-b', 'dead');
    assert.equal(await status(), 'offline');
  });

  it('does not count a connection its hub stopped renewing', async (t) => {
    const { hub, clock, room, status } = await setup(t);
    await hub.presence.agentConnected(room, 'bob', 'on-a');
    await hub.presence.agentConnected(room, 'bob', 'on-b');
    clock.advance(OFFLINE_AFTER_MS);
    await hub.presence.agentDisconnected(room, 'bob', 'on-b', 'closed');
    assert.equal(await status(), 'offline');
  });

  it('counts a connection its hub renews', async (t) => {
    const { hub, clock, room, status } = await setup(t);
    await hub.presence.agentConnected(room, 'bob', 'on-a');
    await hub.presence.agentConnected(room, 'bob', 'on-b');
    clock.advance(OFFLINE_AFTER_MS / 2);
    await hub.presence.renewConnections(['on-a']);
    clock.advance(OFFLINE_AFTER_MS / 2);
    await hub.presence.agentDisconnected(room, 'bob', 'on-b', 'closed');
    assert.equal(await status(), 'online');
  });
});

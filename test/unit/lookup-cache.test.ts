// The lookup cache answers from memory until an announced event says what it knew has changed.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLookupCache, SHARED_MAX_AGE_MS } from '../../src/core/lookup-cache.js';
import type { Store } from '../../src/core/store.js';
import type { Agent, RoomEvent } from '../../src/core/types.js';

/** A store that counts lookups and whose answers the test changes behind the cache's back. */
function countingStore() {
  const state = {
    valid: true,
    status: 'online' as Agent['status'],
    credentialReads: 0,
    agentReads: 0,
  };
  const store = {
    async findCredential() {
      state.credentialReads++;
      return state.valid ? ({ token_digest: 'd' } as never) : null;
    },
    async getAgent(_room: string, name: string) {
      state.agentReads++;
      return name === 'ada' ? ({ name, status: state.status } as Agent) : null;
    },
  } as unknown as Store;
  return { store, state };
}

const event = (type: string): RoomEvent => ({
  room: 'r',
  seq: 1,
  id: 'ev',
  ts: new Date(0).toISOString(),
  actor: null,
  type,
  body: {},
});

test('a valid token is looked up once, and again after a member event', async () => {
  const { store, state } = countingStore();
  const cache = createLookupCache(store);
  assert.equal(await cache.tokenValid('d'), true);
  assert.equal(await cache.tokenValid('d'), true);
  assert.equal(state.credentialReads, 1);
  // Revoked in the store; the cache knows once the revocation is announced.
  state.valid = false;
  cache.observe(event('note'), 'room');
  assert.equal(await cache.tokenValid('d'), true, 'an unrelated event changes nothing');
  cache.observe(event('member.revoked'), 'room');
  assert.equal(await cache.tokenValid('d'), false);
  assert.equal(await cache.tokenValid('d'), false, 'an invalid token is not remembered');
  assert.equal(state.credentialReads, 3);
});

test('agents are remembered per room until an agent event of that room', async () => {
  const { store, state } = countingStore();
  const cache = createLookupCache(store);
  assert.equal((await cache.agent('room', 'ada'))?.status, 'online');
  assert.equal((await cache.agent('room', 'ada'))?.status, 'online');
  assert.equal(state.agentReads, 1);
  assert.equal(await cache.agent('room', 'nobody'), null);
  assert.equal(await cache.agent('room', 'nobody'), null);
  assert.equal(state.agentReads, 3, 'unknown names are asked for each time');
  state.status = 'retired';
  cache.observe(event('agent.status'), 'other-room');
  assert.equal(
    (await cache.agent('room', 'ada'))?.status,
    'online',
    'another room changes nothing',
  );
  cache.observe(event('agent.status'), 'room');
  assert.equal((await cache.agent('room', 'ada'))?.status, 'retired');
  cache.forgetRoom('room');
  state.status = 'online';
  assert.equal((await cache.agent('room', 'ada'))?.status, 'online');
});

test('shared with other hubs: what another hub changed is read again within a second', async () => {
  const { store, state } = countingStore();
  let now = 1_000_000;
  const cache = createLookupCache(store, { shared: true, now: () => now });
  assert.equal(await cache.tokenValid('d'), true);
  assert.equal((await cache.agent('room', 'ada'))?.status, 'online');
  // Another hub revokes the token and retires the agent: nothing is announced here.
  state.valid = false;
  state.status = 'retired';
  now += SHARED_MAX_AGE_MS - 1;
  assert.equal(await cache.tokenValid('d'), true, 'trusted for less than a second');
  assert.equal((await cache.agent('room', 'ada'))?.status, 'online');
  now += 1;
  assert.equal(await cache.tokenValid('d'), false);
  assert.equal((await cache.agent('room', 'ada'))?.status, 'retired');
  assert.equal(state.credentialReads, 2);
  // What this hub announces still takes effect at once.
  state.valid = true;
  assert.equal(await cache.tokenValid('d'), true);
  state.valid = false;
  cache.observe(event('member.revoked'), 'room');
  assert.equal(await cache.tokenValid('d'), false);
});

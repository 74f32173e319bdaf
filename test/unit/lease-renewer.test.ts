// The bridge's lease renewer: which leases it renews and when, with a fake client and clock.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renewDueLeases, startLeaseRenewer } from '../../src/bridge/lease-renewer.js';
import type { Lease } from '../../src/core/types.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');

function lease(id: string, ttl: number, leftSeconds: number, agent = 'alice'): Lease {
  return {
    id,
    agent,
    paths: [`src/${id}.ts`],
    mode: 'exclusive',
    reason: '',
    ttl_seconds: ttl,
    created_at: new Date(NOW - (ttl - leftSeconds) * 1000).toISOString(),
    expires_at: new Date(NOW + leftSeconds * 1000).toISOString(),
  };
}

/** The renewer's timer is unref'd: a test waiting on it keeps the event loop alive itself. */
async function keepingAlive(fn: () => Promise<void>): Promise<void> {
  const alive = setInterval(() => {}, 1000);
  try {
    await fn();
  } finally {
    clearInterval(alive);
  }
}

/** A client holding `leases`, recording calls; `fail` makes listing throw. */
function fakeClient(leases: Lease[], fail?: Error) {
  const calls = {
    leases: [] as Array<{ room: string; agent?: string }>,
    renew: [] as Array<{ room: string; agent: string; ids?: string[] }>,
  };
  let listed: () => void = () => {};
  const client = {
    calls,
    /** Resolves once the client has been asked for leases `n` times in all. */
    listedTimes(n: number): Promise<void> {
      return new Promise((resolve) => {
        const check = () => (calls.leases.length >= n ? resolve() : (listed = check));
        check();
      });
    },
    async leases(room: string, query: { agent?: string } = {}) {
      calls.leases.push({ room, ...query });
      queueMicrotask(() => listed());
      if (fail) throw fail;
      return { leases };
    },
    async renewLeases(room: string, agent: string, body: { ids?: string[] } = {}) {
      calls.renew.push({ room, agent, ...body });
      return {
        renewed: leases.filter((l) => body.ids?.includes(l.id)),
        event: null,
      };
    },
  };
  return client;
}

test('renews only the leases with less than half their TTL left', async () => {
  const client = fakeClient([
    lease('L-aaaaaa', 600, 100), // 100 s of 600 left: due
    lease('L-bbbbbb', 600, 400), // 400 s of 600 left: not yet
    lease('L-cccccc', 60, 29), // just under half: due
  ]);
  const renewed = await renewDueLeases(client as never, 'room', 'alice', NOW);
  assert.equal(renewed, 2);
  assert.deepEqual(client.calls.leases, [{ room: 'room', agent: 'alice' }]);
  assert.deepEqual(client.calls.renew, [
    { room: 'room', agent: 'alice', ids: ['L-aaaaaa', 'L-cccccc'] },
  ]);
});

test('asks nothing more when no lease is due', async () => {
  const client = fakeClient([lease('L-bbbbbb', 600, 400)]);
  assert.equal(await renewDueLeases(client as never, 'room', 'alice', NOW), 0);
  assert.equal(client.calls.renew.length, 0);
});

test('the timer looks every interval with the injected clock, and stops', () =>
  keepingAlive(async () => {
    let now = NOW;
    const client = fakeClient([lease('L-aaaaaa', 600, 350)]);
    const renewer = startLeaseRenewer(client as never, 'room', 'alice', {
      intervalMs: 5,
      now: () => now,
    });
    try {
      await client.listedTimes(1);
      await new Promise((r) => setImmediate(r));
      assert.equal(client.calls.renew.length, 0, '350 s of 600 left is not due yet');
      now += 60_000; // 290 s left now: due
      const seen = client.calls.leases.length;
      await client.listedTimes(seen + 1);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(client.calls.renew[0]?.ids, ['L-aaaaaa']);
    } finally {
      renewer.stop();
    }
    const after = client.calls.leases.length;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(client.calls.leases.length, after, 'no pass after stop');
  }));

test('a failed pass is reported once per pass and the next pass tries again', () =>
  keepingAlive(async () => {
    const errors: string[] = [];
    const client = fakeClient([], new Error('hub unreachable'));
    const renewer = startLeaseRenewer(client as never, 'room', 'alice', {
      intervalMs: 5,
      now: () => NOW,
      onError: (err) => errors.push((err as Error).message),
    });
    try {
      await client.listedTimes(2);
      await new Promise((r) => setImmediate(r));
      assert.ok(errors.length >= 1);
      assert.ok(errors.every((m) => m === 'hub unreachable'));
    } finally {
      renewer.stop();
    }
  }));

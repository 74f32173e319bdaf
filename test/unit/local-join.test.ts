// Joining the local hub with its secret: only from this machine, only with the secret, one member
// per machine label, and the room created on first use.

import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { createLocalBus } from '../../src/bus/local-bus.js';
import { createManualClock } from '../../src/core/clock.js';
import { createHub, isLoopbackAddress } from '../../src/core/hub.js';
import { cryptoRandom } from '../../src/core/random.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { testHubOptions } from '../helpers/hub-options.js';

const LOCAL = { address: '127.0.0.1' };

async function setup(t: TestContext, secret: string | null = 's3cret') {
  const store = openSqliteStore({ path: ':memory:' });
  t.after(() => store.close());
  return createHub({
    store,
    bus: createLocalBus(),
    clock: createManualClock(),
    random: cryptoRandom,
    options: testHubOptions({ local_secret: secret ?? undefined }),
  });
}

const refusal = (code: string) => ({ name: 'HuddleError', code, kind: 'forbidden' });

describe('local join', () => {
  it('creates the room on first use, then gives the same machine the same member', async (t) => {
    const hub = await setup(t);
    const first = await hub.members.localJoin(LOCAL, {
      secret: 's3cret',
      room: 'api-1a2b',
      label: 'me@box',
    });
    assert.equal(first.created, true);
    assert.deepEqual(first.member.scopes, ['admin']);
    const second = await hub.members.localJoin(
      { address: '::1' },
      { secret: 's3cret', room: 'api-1a2b', label: 'me@box' },
    );
    assert.equal(second.created, false);
    assert.equal(second.member.id, first.member.id);
    assert.notEqual(second.token, first.token);
    assert.equal(
      (await hub.members.authenticate(first.token)).member.id,
      first.member.id,
      'both tokens work',
    );
    assert.equal((await hub.members.authenticate(second.token)).member.id, first.member.id);
    const other = await hub.members.localJoin(LOCAL, {
      secret: 's3cret',
      room: 'api-1a2b',
      label: 'ci@box',
    });
    assert.notEqual(other.member.id, first.member.id);
  });

  it('refuses callers off this machine, a wrong secret, and hubs without a local secret', async (t) => {
    const hub = await setup(t);
    await assert.rejects(
      hub.members.localJoin({ address: '10.0.0.5' }, { secret: 's3cret', room: 'r', label: 'x' }),
      refusal('local_join_refused'),
    );
    await assert.rejects(
      hub.members.localJoin(LOCAL, { secret: 'guess', room: 'r', label: 'x' }),
      refusal('invalid_local_secret'),
    );
    const closed = await setup(t, null);
    await assert.rejects(
      closed.members.localJoin(LOCAL, { secret: 's3cret', room: 'r', label: 'x' }),
      refusal('local_join_refused'),
    );
  });

  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
      assert.ok(isLoopbackAddress(a), a);
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', 'unknown'])
      assert.ok(!isLoopbackAddress(a), a);
  });
});

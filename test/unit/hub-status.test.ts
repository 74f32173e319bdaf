// The hub's status: version and uptime for anyone; process, store, rooms and agents online only
// for a caller on this machine with the local secret.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import { createLocalBus } from '../../src/bus/local-bus.js';
import { createManualClock } from '../../src/core/clock.js';
import { createHub } from '../../src/core/hub.js';
import { cryptoRandom } from '../../src/core/random.js';
import { HUDDLE_VERSION } from '../../src/core/version.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { testHubOptions } from '../helpers/hub-options.js';

const LOCAL = { address: '127.0.0.1' };
const T0 = Date.UTC(2026, 0, 1);

function setup(t: TestContext, secret: string | null = 's3cret') {
  const store = openSqliteStore({ path: ':memory:' });
  t.after(() => store.close());
  const clock = createManualClock(T0);
  const hub = createHub({
    store,
    bus: createLocalBus(),
    clock,
    random: cryptoRandom,
    options: testHubOptions({
      local_secret: secret ?? undefined,
      instance: { pid: 4242, store: 'sqlite:/home/me/.huddle/huddle.db' },
    }),
  });
  return { hub, clock };
}

const refusal = (code: string) => ({ name: 'HuddleError', code, kind: 'forbidden' });

describe('hub status', () => {
  it('tells anyone its version and uptime, and nothing of its process or load', async (t) => {
    const { hub, clock } = setup(t);
    clock.advance(3_725_400);
    assert.deepEqual(await hub.operations.status({ address: '10.0.0.5' }), {
      version: HUDDLE_VERSION,
      started_at: '2026-01-01T00:00:00.000Z',
      uptime_seconds: 3725,
    });
  });

  it('with the local secret, from this machine, adds the process, store, rooms and agents online', async (t) => {
    const { hub } = setup(t);
    const joined = await hub.members.localJoin(LOCAL, {
      secret: 's3cret',
      room: 'api',
      label: 'me',
    });
    await hub.members.localJoin(LOCAL, { secret: 's3cret', room: 'web', label: 'me' });
    const p = await hub.members.authenticate(joined.token);
    await hub.presence.registerAgent({ principal: p, room: 'api' }, { name: 'claude-api' });
    const status = await hub.operations.status({ address: '::1' }, 's3cret');
    assert.deepEqual(status.local, {
      pid: 4242,
      store: 'sqlite:/home/me/.huddle/huddle.db',
      rooms: 2,
      agents_online: 1,
    });
  });

  it('refuses the local secret off this machine, a wrong one, and on a hub without one', async (t) => {
    const { hub } = setup(t);
    await assert.rejects(
      hub.operations.status({ address: '10.0.0.5' }, 's3cret'),
      refusal('local_status_refused'),
    );
    await assert.rejects(hub.operations.status(LOCAL, 'guess'), refusal('invalid_local_secret'));
    await assert.rejects(hub.operations.status(LOCAL, ''), refusal('invalid_local_secret'));
    const { hub: closed } = setup(t, null);
    await assert.rejects(
      closed.operations.status(LOCAL, 's3cret'),
      refusal('local_status_refused'),
    );
  });

  it('reports the version in package.json', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    assert.equal(HUDDLE_VERSION, pkg.version);
  });
});

// The Hub's file leases over SQLite in memory with a manual clock: conflicts, expiry, offline and retired holders, release and renewal.

import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { Principal } from '../../src/core/hub.js';
import type { Lease } from '../../src/core/types.js';
import { testHubOptions } from '../helpers/hub-options.js';
import { refused, startRoomHub } from '../helpers/room-hub.js';

const ROOM = 'alpha';
const MIN = 60_000;

async function setup(t: TestContext) {
  const { hub, clock, admin, member, events, head } = await startRoomHub(
    t,
    ROOM,
    testHubOptions({ presence: { offline_after_seconds: 60 } }),
  );
  const a = await member('machine-a');
  const b = await member('machine-b');
  await hub.presence.registerAgent({ principal: a, room: ROOM }, { name: 'alice' });
  await hub.presence.registerAgent({ principal: b, room: ROOM }, { name: 'bob' });
  await hub.presence.registerAgent({ principal: admin, room: ROOM }, { name: 'boss' });
  const lease = async (p: Principal, agent: string, paths: string[], more = {}) =>
    (await hub.leases.acquireLease({ principal: p, room: ROOM, agent }, { paths, ...more })).lease;
  const leases = async (filter = {}) =>
    (await hub.leases.listLeases({ principal: admin, room: ROOM }, filter)).leases;
  /** Lease ids, sorted: leases taken in the same millisecond list in id order. */
  const ids = (list: Lease[]) => list.map((l) => l.id).sort();
  return { hub, clock, admin, a, b, events, head, lease, leases, ids };
}

describe('Hub leases', () => {
  it('decides conflicts by glob overlap and mode: shared with shared never conflicts', async (t) => {
    const { hub, a, b, lease } = await setup(t);
    const overlap: Array<[string, string, boolean]> = [
      ['src/**', 'src/a.ts', true],
      ['src/**', 'src/*.ts', true],
      ['src/*.ts', 'src/deep/a.ts', false],
      ['src/*.ts', 'lib/a.ts', false],
      ['src/auth', 'src/auth/token.ts', true],
      ['src/auth/token.ts', 'src/auth', true],
      ['package.json', 'package-lock.json', false],
      ['**/*.md', 'docs/guide.md', true],
      ['src/[ab].ts', 'src/c.ts', false],
    ];
    for (const [held, wanted, overlaps] of overlap) {
      for (const [heldMode, wantedMode] of [
        ['exclusive', 'exclusive'],
        ['exclusive', 'shared'],
        ['shared', 'exclusive'],
        ['shared', 'shared'],
      ] as const) {
        const what = `${held} (${heldMode}) vs ${wanted} (${wantedMode})`;
        const mine = await lease(a, 'alice', [held], { mode: heldMode });
        const conflict = overlaps && !(heldMode === 'shared' && wantedMode === 'shared');
        const attempt = hub.leases.acquireLease(
          { principal: b, room: ROOM, agent: 'bob' },
          {
            paths: [wanted],
            mode: wantedMode,
          },
        );
        if (conflict) {
          const err = await refused(attempt, 'lease_conflict', 'conflict');
          assert.equal(err.details.conflicts[0].lease_id, mine.id, what);
        } else {
          const { lease: theirs } = await attempt.catch((e) => assert.fail(`${what}: ${e}`));
          await hub.leases.releaseLeases(
            { principal: b, room: ROOM, agent: 'bob' },
            { ids: [theirs.id] },
          );
        }
        await hub.leases.releaseLeases(
          { principal: a, room: ROOM, agent: 'alice' },
          { ids: [mine.id] },
        );
      }
    }
  });

  it('names the holder, lease id, paths, reason and expiry in a conflict', async (t) => {
    const { hub, clock, a, b, lease, head } = await setup(t);
    const held = await lease(a, 'alice', ['src/auth/**', 'docs/auth.md'], {
      reason: 'rewriting token refresh',
      ttl_seconds: 600,
    });
    assert.equal(held.expires_at, new Date(clock.now() + 600_000).toISOString());
    const before = await head();
    const err = await refused(
      hub.leases.acquireLease(
        { principal: b, room: ROOM, agent: 'bob' },
        { paths: ['lib/x.ts', 'src/auth/token.ts'] },
      ),
      'lease_conflict',
      'conflict',
    );
    assert.deepEqual(err.details.conflicts, [
      {
        holder: 'alice',
        lease_id: held.id,
        mode: 'exclusive',
        paths: ['src/auth/**', 'docs/auth.md'],
        requested: 'src/auth/token.ts',
        overlaps: 'src/auth/**',
        reason: 'rewriting token refresh',
        expires_at: held.expires_at,
      },
    ]);
    for (const part of [
      'alice',
      held.id,
      'src/auth/token.ts',
      'src/auth/**',
      'rewriting token refresh',
      held.expires_at,
    ])
      assert.ok(err.message.includes(part), `message names ${part}: ${err.message}`);
    assert.equal(await head(), before, 'nothing appended for a refusal');
  });

  it("does not set an agent's own overlapping leases against each other", async (t) => {
    const { a, lease, leases, ids } = await setup(t);
    const wide = await lease(a, 'alice', ['src/**']);
    const narrow = await lease(a, 'alice', ['src/a.ts'], { mode: 'shared' });
    const same = await lease(a, 'alice', ['src/**']);
    assert.deepEqual(ids(await leases()), ids([wide, narrow, same]));
  });

  it('keeps a lease just acquired by an agent that was offline past the grace period', async (t) => {
    const { hub, clock, a, b, lease, leases, ids } = await setup(t);
    clock.advance(10 * MIN);
    await hub.presence.sweepPresence();
    // alice is offline and was last seen 10 minutes ago; acquiring is a sign of life.
    const held = await lease(a, 'alice', ['src/**']);
    assert.deepEqual(ids(await leases()), [held.id]);
    await refused(
      hub.leases.acquireLease({ principal: b, room: ROOM, agent: 'bob' }, { paths: ['src/a.ts'] }),
      'lease_conflict',
      'conflict',
    );
  });

  it('lasts 1800 s by default and ends at expiry; the sweep records why', async (t) => {
    const { hub, clock, a, b, lease, leases, events, head } = await setup(t);
    const held = await lease(a, 'alice', ['src/**']);
    assert.equal(held.ttl_seconds, 1800);
    assert.equal(held.expires_at, new Date(clock.now() + 1800_000).toISOString());
    const short = await lease(a, 'alice', ['lib/**'], { ttl_seconds: 60 });
    clock.advance(59_999);
    assert.deepEqual(
      (await leases({ path: 'lib/a.ts' })).map((l) => l.id),
      [short.id],
    );
    await refused(
      hub.leases.acquireLease({ principal: b, room: ROOM, agent: 'bob' }, { paths: ['lib/a.ts'] }),
      'lease_conflict',
      'conflict',
    );
    clock.advance(1);
    assert.deepEqual(await leases({ path: 'lib/a.ts' }), []);
    await lease(b, 'bob', ['lib/a.ts']);
    const before = await head();
    assert.equal(await hub.leases.sweepLeases(), 1);
    const [expired] = await events(before);
    assert.equal(expired?.type, 'lease.expired');
    assert.deepEqual([expired?.body.why, (expired?.body.lease as Lease).id], ['expired', short.id]);
    assert.equal(await hub.leases.sweepLeases(), 0);
  });

  it("keeps an offline holder's lease for the grace period, then ends it (agent_offline)", async (t) => {
    const { hub, clock, a, b, lease, leases, ids, events, head } = await setup(t);
    const held = await lease(a, 'alice', ['src/**'], { ttl_seconds: 3600 });
    const seen = clock.now();
    clock.advance(MIN + 1);
    await hub.presence.heartbeat({ principal: b, room: ROOM, agent: 'bob' });
    assert.equal(await hub.presence.sweepPresence(), 2, 'alice and boss go offline');
    const blocked = () =>
      refused(
        hub.leases.acquireLease(
          { principal: b, room: ROOM, agent: 'bob' },
          { paths: ['src/a.ts'] },
        ),
        'lease_conflict',
        'conflict',
      );
    await blocked();
    // The 300 s grace counts from when alice was last seen ("offline (not seen) for this long").
    clock.set(seen + 5 * MIN - 1);
    await blocked();
    assert.deepEqual(ids(await leases()), [held.id]);
    clock.set(seen + 5 * MIN + 1);
    assert.deepEqual(await leases(), []);
    const before = await head();
    assert.equal(await hub.leases.sweepLeases(), 1);
    const [ended] = await events(before);
    assert.deepEqual([ended?.type, ended?.body.why], ['lease.expired', 'agent_offline']);
    await lease(b, 'bob', ['src/a.ts']);
  });

  it("ends a retired agent's leases at once", async (t) => {
    const { hub, a, b, lease, leases, events, head } = await setup(t);
    await lease(a, 'alice', ['src/**']);
    const before = await head();
    await hub.presence.retireAgent({ principal: a, room: ROOM }, 'alice');
    assert.deepEqual(await leases(), []);
    // Retiring ends them with their event, so the next sweep finds nothing.
    const ended = (await events(before)).filter((e) => e.type === 'lease.expired');
    assert.deepEqual(
      ended.map((e) => e.body.why),
      ['agent_retired'],
    );
    assert.equal(await hub.leases.sweepLeases(), 0);
    await lease(b, 'bob', ['src/a.ts']);
  });

  it('does not bring back the ended leases of an agent that registers again', async (t) => {
    const { hub, a, b, lease, leases, ids } = await setup(t);
    await lease(a, 'alice', ['src/**']);
    await hub.presence.retireAgent({ principal: a, room: ROOM }, 'alice');
    const theirs = await lease(b, 'bob', ['src/a.ts']);
    await hub.presence.registerAgent({ principal: a, room: ROOM }, { name: 'alice' });
    assert.deepEqual(ids(await leases()), [theirs.id]);
  });

  it('does not bring back a lease ended by the offline grace', async (t) => {
    const { hub, clock, a, b, lease, leases, ids } = await setup(t);
    await lease(a, 'alice', ['src/**'], { ttl_seconds: 7200 });
    clock.advance(MIN + 1);
    await hub.presence.heartbeat({ principal: b, room: ROOM, agent: 'bob' });
    await hub.presence.sweepPresence();
    clock.advance(5 * MIN);
    const theirs = await lease(b, 'bob', ['src/a.ts']);
    await hub.presence.heartbeat({ principal: a, room: ROOM, agent: 'alice' });
    assert.deepEqual(ids(await leases()), [theirs.id]);
  });

  it('renews: expires_at moves to now plus the TTL', async (t) => {
    const { hub, clock, a, lease, leases } = await setup(t);
    const held = await lease(a, 'alice', ['src/**'], { ttl_seconds: 600 });
    clock.advance(5 * MIN);
    const { renewed, event } = await hub.leases.renewLeases({
      principal: a,
      room: ROOM,
      agent: 'alice',
    });
    const expected = new Date(clock.now() + 600_000).toISOString();
    assert.deepEqual(
      renewed.map((l) => [l.id, l.expires_at]),
      [[held.id, expected]],
    );
    assert.equal(event?.type, 'lease.renewed');
    clock.advance(9 * MIN);
    assert.deepEqual((await leases())[0]?.expires_at, expected);
    const longer = await hub.leases.renewLeases(
      { principal: a, room: ROOM, agent: 'alice' },
      {
        ids: [held.id],
        ttl_seconds: 3600,
      },
    );
    assert.equal(longer.renewed[0]?.expires_at, new Date(clock.now() + 3600_000).toISOString());
  });

  it('releases by path or by id; a path not held releases nothing (404)', async (t) => {
    const { hub, a, lease, leases, ids, head } = await setup(t);
    const one = await lease(a, 'alice', ['src/a.ts', 'lib/**']);
    const two = await lease(a, 'alice', ['docs/**']);
    const three = await lease(a, 'alice', ['test/**']);
    const before = await head();
    const err = await refused(
      hub.leases.releaseLeases(
        { principal: a, room: ROOM, agent: 'alice' },
        { paths: ['docs/**', 'nothing/**'] },
      ),
      'lease_not_found',
      'not_found',
    );
    assert.deepEqual(err.details.missing, ['nothing/**']);
    assert.equal(await head(), before);
    assert.deepEqual(ids(await leases()), ids([one, two, three]));
    const byPath = await hub.leases.releaseLeases(
      { principal: a, room: ROOM, agent: 'alice' },
      { paths: ['./lib/**/'] },
    );
    assert.deepEqual(ids(byPath.released), [one.id]);
    assert.equal(byPath.event?.type, 'lease.released');
    const byId = await hub.leases.releaseLeases(
      { principal: a, room: ROOM, agent: 'alice' },
      { ids: [two.id] },
    );
    assert.deepEqual(ids(byId.released), [two.id]);
    assert.deepEqual(ids(await leases()), [three.id]);
  });

  it("refuses another agent's lease id (403 not_your_lease), to an admin's agent too, unless forced", async (t) => {
    const { hub, a, b, admin, lease, leases, head } = await setup(t);
    const held = await lease(a, 'alice', ['src/**']);
    const before = await head();
    for (const [p, agent] of [
      [b, 'bob'],
      [admin, 'boss'],
    ] as const) {
      const err = await refused(
        hub.leases.releaseLeases({ principal: p, room: ROOM, agent }, { ids: [held.id] }),
        'not_your_lease',
        'forbidden',
      );
      assert.match(err.message, new RegExp(`${held.id} belongs to alice`));
      assert.match(err.message, /--force \(force: true\)/);
      assert.deepEqual(err.details.holders, ['alice']);
    }
    // By path, the refusal names whose lease holds it and how an admin ends it.
    const byPath = await refused(
      hub.leases.releaseLeases(
        { principal: admin, room: ROOM, agent: 'boss' },
        { paths: ['src/**'], force: true },
      ),
      'lease_not_found',
      'not_found',
    );
    assert.match(byPath.message, new RegExp(`${held.id} of alice holds it: .*by id with --force`));
    const plain = await refused(
      hub.leases.releaseLeases(
        { principal: b, room: ROOM, agent: 'bob' },
        { ids: [held.id], force: true },
      ),
      'force_requires_admin',
      'forbidden',
    );
    assert.equal(plain.details.field, 'force');
    assert.equal(await head(), before, 'no refusal wrote anything');
    assert.equal((await leases()).length, 1);
  });

  it("an admin's agent ends another agent's lease with force: recorded as an override, the holder told", async (t) => {
    const { hub, a, admin, lease, leases, events, head } = await setup(t);
    // Two agents of the admin member, as on one machine: deputy is no holder of boss's lease.
    await hub.presence.registerAgent({ principal: admin, room: ROOM }, { name: 'deputy' });
    const alices = await lease(a, 'alice', ['src/**'], { reason: 'refactor' });
    const boss = await lease(admin, 'boss', ['docs/**']);
    await refused(
      hub.leases.releaseLeases(
        { principal: admin, room: ROOM, agent: 'deputy' },
        { ids: [boss.id] },
      ),
      'not_your_lease',
      'forbidden',
    );
    const before = await head();
    const { released, event } = await hub.leases.releaseLeases(
      { principal: admin, room: ROOM, agent: 'deputy' },
      {
        ids: [alices.id, boss.id],
        force: true,
      },
    );
    assert.deepEqual(released.map((l) => l.id).sort(), [alices.id, boss.id].sort());
    const override = event?.body.override as { by: string; member: string; holders: string[] };
    assert.deepEqual(
      [override.by, override.member, [...override.holders].sort()],
      ['deputy', 'owner', ['alice', 'boss']],
    );
    assert.deepEqual(await leases(), []);
    const log = await events(before);
    const told = log
      .filter((e) => e.type === 'message')
      .map((e) => e.body.message as { from: string; to: string; kind: string; body: string });
    assert.deepEqual(told.map((m) => [m.from, m.to, m.kind]).sort(), [
      ['deputy', 'alice', 'status'],
      ['deputy', 'boss', 'status'],
    ]);
    const toAlice = told.find((m) => m.to === 'alice')!;
    assert.match(
      toAlice.body,
      new RegExp(`deputy released ${alices.id} \\(src/\\*\\*\\), leased by you`),
    );
    assert.ok(!toAlice.body.includes(boss.id), 'each holder hears of their own leases');
  });

  it('force on own leases records no override and tells nobody', async (t) => {
    const { hub, admin, lease } = await setup(t);
    const own = await lease(admin, 'boss', ['lib/**']);
    const { event } = await hub.leases.releaseLeases(
      { principal: admin, room: ROOM, agent: 'boss' },
      {
        ids: [own.id],
        force: true,
      },
    );
    assert.equal(event?.type, 'lease.released');
    assert.equal('override' in (event?.body ?? {}), false);
  });

  it('check: finds the holder of a concrete file under a leased glob', async (t) => {
    const { a, b, lease, leases } = await setup(t);
    const auth = await lease(a, 'alice', ['src/auth/**']);
    await lease(b, 'bob', ['docs/**']);
    assert.deepEqual(
      (await leases({ path: 'src/auth/token.ts' })).map((l) => [l.agent, l.id]),
      [['alice', auth.id]],
    );
    assert.deepEqual(await leases({ path: 'src/main.ts' }), []);
    assert.deepEqual(
      (await leases({ agent: 'bob' })).map((l) => l.agent),
      ['bob'],
    );
  });

  it('refuses bad paths and TTLs naming the field', async (t) => {
    const { hub, a, head } = await setup(t);
    const before = await head();
    const acquire = (input: Record<string, unknown>) =>
      hub.leases.acquireLease({ principal: a, room: ROOM, agent: 'alice' }, {
        paths: ['src/**'],
        ...input,
      } as never);
    for (const [paths, code, field] of [
      [['../x'], 'invalid_path', 'paths.0'],
      [['src/a.ts', '/etc'], 'invalid_path', 'paths.1'],
      [[''], 'invalid_path', 'paths.0'],
      [[], 'invalid_paths', 'paths'],
      [Array.from({ length: 65 }, (_, i) => `f${i}`), 'invalid_paths', 'paths'],
    ] as const) {
      const err = await refused(acquire({ paths }), code, 'invalid');
      assert.equal(err.details.field, field);
    }
    for (const ttl_seconds of [0, 9, 7 * 24 * 3600 + 1, 1.5])
      await refused(acquire({ ttl_seconds }), 'invalid_ttl', 'invalid');
    await refused(acquire({ mode: 'private' }), 'invalid_mode', 'invalid');
    assert.equal(await head(), before);
    assert.equal(
      (await acquire({ paths: Array.from({ length: 64 }, (_, i) => `f${i}`) })).lease.paths.length,
      64,
    );
  });
});

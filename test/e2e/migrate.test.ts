// `huddle migrate`: a hub's rooms move from SQLite into PostgreSQL with everything in them, the
// same tokens work on a hub serving the new store, and a second run into the same schema, or a
// bad URL, is refused without writing anything.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createHubClient } from '../../src/client/hub-client.js';
import type { Store } from '../../src/core/store.js';
import { openStore } from '../../src/store/open-store.js';
import { huddle } from '../helpers/cli.js';
import { spawnHub, startTestHub } from '../helpers/hub.js';
import { dropSchema, freshSchema, postgresSkip, TEST_PG_URL } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

const skip = await postgresSkip();

/** Everything the Store shows of every room, to compare two stores. */
async function snapshot(store: Store) {
  const rooms = await store.listRooms();
  return Promise.all(
    rooms.map(async (room) => ({
      room,
      events: await store.listEvents(room.id, 0, 100_000),
      members: await store.listMembers(room.id),
      agents: await store.listAgents(room.id),
      tasks: await store.listTasks(room.id, {}),
      variables: await store.listVariables(room.id),
      checkpoint: await store.getCheckpoint(room.id),
    })),
  );
}

describe('huddle migrate', { skip }, () => {
  const schema = freshSchema('huddle_migrate');
  const target = `${TEST_PG_URL}?schema=${schema}`;
  const home = tempDir();
  let token = '';
  let sqlitePath = '';

  before(async () => {
    const hub = await startTestHub({ HUDDLE_HOME: home.path });
    sqlitePath = join(home.path, 'huddle.db');
    const created = await createHubClient({ url: hub.url }).createRoom({
      name: 'moving',
      label: 'laptop',
    });
    token = created.token;
    const c = createHubClient({ url: hub.url, token });
    await c.registerAgent('moving', { name: 'alice', client: 'claude-code' });
    await c.registerAgent('moving', { name: 'bob', client: 'codex' });
    for (let i = 0; i < 30; i++) await c.writeNote('moving', `note ${i}`);
    await c.setCheckpoint('moving', '# where we are');
    const { message } = await c.send('moving', 'alice', {
      to: 'bob',
      kind: 'finding',
      body: 'look',
    });
    await c.readInbox('moving', 'bob', { ids: [message.id] }).catch(() => {});
    const { task } = await c.addTask('moving', 'alice', { title: 'port it' });
    await c.taskStep('moving', 'bob', task.id, 'claim');
    await c.setVariable('moving', 'branch', { value: 'release/2', agent: 'alice' });
    await c.lease('moving', 'alice', { paths: ['src/**'], reason: 'moving' });
    await createHubClient({ url: hub.url }).createRoom({ name: 'second', label: 'laptop' });
    await hub.stop();
  });
  after(async () => {
    home.remove();
    await dropSchema(schema);
  });

  test('moves every room with its log, members, agents, tasks, variables and checkpoint', async () => {
    const result = await huddle(
      ['migrate', '--from', `sqlite:${sqlitePath}`, '--to', target, '--json'],
      {
        home: home.path,
        url: 'http://127.0.0.1:9',
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      tables: Record<string, number>;
      rooms: Array<{ name: string }>;
    };
    assert.deepEqual(
      report.rooms.map((r) => r.name),
      ['moving', 'second'],
    );
    assert.ok(
      report.tables.events! > 30 && report.tables.messages === 1 && report.tables.leases === 1,
    );

    const before = await openStore(`sqlite:${sqlitePath}`);
    const afterStore = await openStore(target);
    try {
      assert.deepEqual(await snapshot(afterStore), await snapshot(before));
    } finally {
      await before.close();
      await afterStore.close();
    }
  });

  test('the same token works on a hub serving the PostgreSQL store, and the log goes on', async () => {
    const dir = tempDir();
    const hub = await spawnHub(dir.path, { HUDDLE_STORE: target });
    try {
      const c = createHubClient({ url: hub.url, token });
      const read = await c.read('moving', 5);
      assert.equal(read.checkpoint.text, '# where we are');
      const last = read.events.at(-1)!.seq;
      const { event } = await c.writeNote('moving', 'written after the move');
      assert.equal(event.seq, last + 1);
      const inbox = await c.peekInbox('moving', 'bob', { all: true });
      assert.equal(inbox.messages.length, 1);
    } finally {
      await hub.stop();
      dir.remove();
    }
  });

  test('refuses a schema that already holds rooms, and a --to that is not PostgreSQL', async () => {
    const again = await huddle(['migrate', '--from', `sqlite:${sqlitePath}`, '--to', target], {
      home: home.path,
      url: 'http://127.0.0.1:9',
    });
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /already holds \d+ room/);
    const bad = await huddle(['migrate', '--to', 'mysql://x'], {
      home: home.path,
      url: 'http://127.0.0.1:9',
    });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--to must be a PostgreSQL URL/);
  });
});

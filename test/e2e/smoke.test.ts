// The shortest path through a real hub: health, create a room, write and read a note over HTTP.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHubClient } from '../../src/client/hub-client.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

let hub: TestHub;
before(async () => {
  hub = await startTestHub();
});
after(() => hub.stop());

test('a room created over HTTP holds a note written to it', async () => {
  const anon = createHubClient({ url: hub.url });
  assert.deepEqual(await anon.health(), { ok: true });
  const created = await anon.createRoom({ name: 'smoke', label: 'tester' });
  const client = createHubClient({ url: hub.url, token: created.token });
  const { event } = await client.writeNote('smoke', 'hello');
  assert.equal(event.seq, 2);
  const read = await client.read('smoke');
  assert.equal(read.cursor, 2);
  assert.deepEqual(
    read.events.map((e) => e.type),
    ['room.created', 'note'],
  );
});

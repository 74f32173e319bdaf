// The hub survives hostile or stale stream clients and shuts down without waiting on long-polls.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import { createHubClient } from '../../src/client/hub-client.js';
import { spawnHub, startTestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('end', () => resolve(out));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

test(
  'an upgrade request whose target is not a valid URL is refused and the hub keeps serving',
  { timeout: 15_000 },
  async (t) => {
    // A child process, so that a crash shows as a dead hub instead of taking the runner down.
    const home = tempDir();
    const hub = await spawnHub(home.path);
    t.after(async () => {
      await hub.stop('SIGKILL');
      home.remove();
    });
    const answer = await rawRequest(
      Number(new URL(hub.url).port),
      'GET http://a:99999/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    assert.match(answer, /^HTTP\/1\.1 400/);
    assert.deepEqual(await createHubClient({ url: hub.url }).health(), { ok: true });
  },
);

test(
  'a connection whose token was revoked after it authenticated cannot send or report',
  { timeout: 10_000 },
  async (t) => {
    const hub = await startTestHub();
    t.after(() => hub.stop());
    const admin = await createHubClient({ url: hub.url }).createRoom({
      name: 'rev',
      label: 'admin',
    });
    const adminClient = createHubClient({ url: hub.url, token: admin.token });
    await adminClient.registerAgent('rev', { name: 'boss' });
    const { code } = await adminClient.createCode('rev');
    const device = await createHubClient({ url: hub.url }).join({ code, label: 'device' });
    await createHubClient({ url: hub.url, token: device.token }).registerAgent('rev', {
      name: 'dev',
    });

    const ws = new WebSocket(hub.url.replace('http', 'ws') + '/v1/stream');
    const frames: Array<Record<string, unknown>> = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
    await new Promise((r) => ws.on('open', r));
    ws.send(JSON.stringify({ type: 'auth', token: device.token }));
    const until = async (pred: () => boolean) => {
      for (let i = 0; i < 300 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(pred());
    };
    await until(() => frames.some((f) => f.type === 'authenticated'));

    await adminClient.revoke('rev', device.member.id);
    ws.send(
      JSON.stringify({
        type: 'send',
        room: 'rev',
        agent: 'dev',
        ref: 's',
        message: { to: 'boss', body: 'still here?' },
      }),
    );
    ws.send(
      JSON.stringify({ type: 'presence', room: 'rev', agent: 'dev', status: 'working', ref: 'p' }),
    );
    await until(() => frames.filter((f) => f.type === 'error').length === 2);
    for (const ref of ['s', 'p']) {
      assert.equal(frames.find((f) => f.type === 'error' && f.ref === ref)?.code, 'unknown_token');
    }
    const { messages } = await adminClient.peekInbox('rev', 'boss');
    assert.equal(messages.length, 0, 'nothing was sent');
    ws.close();
  },
);

test(
  'shutting down answers long-polls at once instead of waiting for them',
  { timeout: 20_000 },
  async () => {
    const hub = await startTestHub();
    const created = await createHubClient({ url: hub.url }).createRoom({ name: 'lp', label: 'x' });
    const client = createHubClient({ url: hub.url, token: created.token });
    const polling = client.waitEvents('lp', 1, 60);
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    await hub.stop();
    const page = await polling;
    assert.deepEqual(page.events, []);
    assert.ok(performance.now() - started < 5000, 'the hub did not wait for the 60 s long-poll');
  },
);

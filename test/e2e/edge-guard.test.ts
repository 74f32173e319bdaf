// The hub's front door over real HTTP: a foreign Host (DNS rebinding), a foreign Origin or
// Sec-Fetch-Site (another site's page), and a body not declared JSON are refused on REST, the
// stream and /mcp, before any credential or rate limit, and change nothing.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createHubClient, type HubError } from '../../src/client/hub-client.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

interface Reply {
  status: number;
  body: any;
}

/** One request with exactly these headers (Host included), over node:http. */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    // An upgrade the hub accepted: the refusal the test waits for did not come.
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: undefined });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The headers of a WebSocket handshake. */
const UPGRADE = {
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-version': '13',
};

function refused(reply: Reply, status: number, code: string): void {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.equal(reply.body?.error?.code, code, JSON.stringify(reply.body));
}

const JSON_TYPE = { 'content-type': 'application/json' };
const FOREIGN = 'evil.example';

describe('a loopback hub', () => {
  let hub: TestHub;
  let own: string;
  let admin: string;
  const rooms = () => createHubClient({ url: hub.url });

  before(async () => {
    // Two rooms and two joins per address: enough for this test, and no more.
    hub = await startTestHub({
      HUDDLE_RATE_LIMITS: JSON.stringify({
        room_create: { burst: 3, refill: 1, period_seconds: 86400 },
        join: { burst: 2, refill: 1, period_seconds: 86400 },
      }),
    });
    own = new URL(hub.url).host;
    pageHeaders = { host: own, ...JSON_TYPE };
    ({ token: admin } = await rooms().createRoom({ name: 'edge', label: 'admin' }));
  });
  after(() => hub.stop());

  const room = (name: string) => JSON.stringify({ name, label: 'x' });
  let pageHeaders: Record<string, string>;

  test('a foreign Host is refused with 403 host_not_allowed, naming what to set', async () => {
    const created = await send(
      hub.url,
      'POST',
      '/v1/rooms',
      { ...pageHeaders, host: FOREIGN },
      room('rebound'),
    );
    refused(created, 403, 'host_not_allowed');
    assert.equal(created.body.token, undefined);
    assert.match(created.body.error.message, /HUDDLE_ALLOWED_HOSTS/);
    refused(
      await send(hub.url, 'GET', '/healthz', { host: `${FOREIGN}:7766` }),
      403,
      'host_not_allowed',
    );
    const mine = await send(hub.url, 'GET', '/v1/rooms/edge', {
      host: FOREIGN,
      authorization: `Bearer ${admin}`,
    });
    refused(mine, 403, 'host_not_allowed');
    for (const host of [own, `localhost:${hub.port}`, `app.localhost:${hub.port}`])
      assert.equal((await send(hub.url, 'GET', '/healthz', { host })).status, 200, host);
  });

  test("a foreign Origin is refused with 403 origin_not_allowed; the hub's own is served", async () => {
    for (const origin of [`https://${FOREIGN}`, 'null', 'http://127.0.0.1:1'])
      refused(
        await send(hub.url, 'POST', '/v1/rooms', { ...pageHeaders, origin }, room('csrf-origin')),
        403,
        'origin_not_allowed',
      );
    refused(
      await send(
        hub.url,
        'POST',
        '/v1/rooms',
        { ...pageHeaders, 'sec-fetch-site': 'cross-site' },
        room('csrf-origin'),
      ),
      403,
      'origin_not_allowed',
    );
    const mine = await send(hub.url, 'GET', '/v1/rooms/edge/me', {
      host: own,
      origin: hub.url,
      'sec-fetch-site': 'same-origin',
      authorization: `Bearer ${admin}`,
    });
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
  });

  test('a body not declared application/json is refused with 415, even an empty one', async () => {
    const plain = { host: own, 'content-type': 'text/plain;charset=UTF-8' };
    refused(
      await send(hub.url, 'POST', '/v1/rooms', plain, room('csrf-text')),
      415,
      'unsupported_media_type',
    );
    refused(await send(hub.url, 'POST', '/v1/rooms', plain, ''), 415, 'unsupported_media_type');
    refused(await send(hub.url, 'POST', '/v1/rooms', { host: own }), 415, 'unsupported_media_type');
    const form = { host: own, 'content-type': 'application/x-www-form-urlencoded' };
    refused(
      await send(hub.url, 'POST', '/v1/rooms/edge/rotate', {
        ...form,
        authorization: `Bearer ${admin}`,
      }),
      415,
      'unsupported_media_type',
    );
    refused(
      await send(
        hub.url,
        'PUT',
        '/v1/rooms/edge/checkpoint',
        {
          ...plain,
          authorization: `Bearer ${admin}`,
        },
        JSON.stringify({ text: 'x' }),
      ),
      415,
      'unsupported_media_type',
    );
  });

  test('refused requests count against no rate limit: the real create and joins still work', async () => {
    const secret = readFileSync(join(hub.home, 'local.secret'), 'utf8').trim();
    const attacks: Array<[string, Record<string, string>]> = [
      ['text/plain', { host: own, 'content-type': 'text/plain' }],
      ['foreign Origin', { ...pageHeaders, origin: `http://${FOREIGN}` }],
      ['foreign Host', { ...pageHeaders, host: FOREIGN }],
      ['cross-site', { ...pageHeaders, 'sec-fetch-site': 'cross-site' }],
    ];
    for (const [what, headers] of attacks) {
      for (let i = 0; i < 10; i++) {
        const created = await send(hub.url, 'POST', '/v1/rooms', headers, room('flooded'));
        assert.ok([403, 415].includes(created.status), `${what}: ${created.status}`);
        const joined = await send(hub.url, 'POST', '/v1/join', headers, '{"code":"ABCD-EFGH"}');
        assert.ok([403, 415].includes(joined.status), `${what}: ${joined.status}`);
        const local = await send(
          hub.url,
          'POST',
          '/v1/local/join',
          headers,
          JSON.stringify({ secret, room: 'edge' }),
        );
        assert.ok([403, 415].includes(local.status), `${what}: ${local.status}`);
      }
    }
    // The room name is free (nothing was created) and the create limit is whole.
    const made = await rooms().createRoom({ name: 'flooded', label: 'real' });
    assert.equal(made.room.name, 'flooded');
    await rooms().createRoom({ name: 'flooded-2', label: 'real' });
    const { code } = await createHubClient({ url: hub.url, token: admin }).createCode('edge');
    const joined = await rooms().join({ code, label: 'laptop' });
    assert.equal(joined.room.name, 'edge');
    const local = await rooms().localJoin({ secret, room: 'edge', label: 'cli' });
    assert.equal(local.room.name, 'edge');
    // The third join is over the limit of two: the limit was there all along.
    await rooms()
      .localJoin({ secret, room: 'edge' })
      .then(
        () => assert.fail('the join limit was not applied'),
        (err: HubError) => assert.equal(err.status, 429),
      );
  });

  test('the stream refuses a foreign Host, Origin or Sec-Fetch-Site at the upgrade', async () => {
    const auth = { authorization: `Bearer ${admin}` };
    refused(
      await send(hub.url, 'GET', '/v1/stream', { ...UPGRADE, ...auth, host: FOREIGN }),
      403,
      'host_not_allowed',
    );
    refused(
      await send(hub.url, 'GET', '/v1/stream', {
        ...UPGRADE,
        ...auth,
        host: own,
        origin: `https://${FOREIGN}`,
      }),
      403,
      'origin_not_allowed',
    );
    refused(
      await send(hub.url, 'GET', '/v1/stream', {
        ...UPGRADE,
        ...auth,
        host: own,
        'sec-fetch-site': 'cross-site',
      }),
      403,
      'origin_not_allowed',
    );
  });

  test('/mcp refuses a foreign Host, a foreign Origin and text/plain, and registers no agent', async () => {
    const mcp = {
      host: own,
      authorization: `Bearer ${admin}`,
      accept: 'application/json, text/event-stream',
      ...JSON_TYPE,
    };
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'who', arguments: {} },
    });
    const path = '/mcp?agent=intruder';
    refused(
      await send(hub.url, 'POST', path, { ...mcp, host: FOREIGN }, call),
      403,
      'host_not_allowed',
    );
    refused(
      await send(hub.url, 'POST', path, { ...mcp, origin: `https://${FOREIGN}` }, call),
      403,
      'origin_not_allowed',
    );
    refused(
      await send(hub.url, 'POST', path, { ...mcp, 'content-type': 'text/plain' }, call),
      415,
      'unsupported_media_type',
    );
    const { agents } = await createHubClient({ url: hub.url, token: admin }).agents('edge');
    assert.deepEqual(
      agents.map((a) => a.name),
      [],
    );
    // The same call, from a client and not a page, goes through and registers the agent.
    const ok = await send(hub.url, 'POST', path, mcp, call);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  test('a link followed from another site may still open a page (top-level GET)', async () => {
    const reply = await send(hub.url, 'GET', '/healthz', {
      host: own,
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'navigate',
    });
    assert.equal(reply.status, 200);
  });
});

describe('a hub that serves a network', () => {
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub({
      HUDDLE_HOST: '0.0.0.0',
      HUDDLE_OPEN_CREATE: 'true',
      HUDDLE_ALLOWED_HOSTS: 'hub.lan',
      HUDDLE_PUBLIC_URL: 'https://huddle.example.com',
    });
  });
  after(() => hub.stop());

  test("answers to this machine's name, the allowed hosts and the public URL, and no other", async () => {
    const port = hub.port;
    for (const host of [`${hostname()}:${port}`, `hub.lan:${port}`, 'huddle.example.com'])
      assert.equal((await send(hub.url, 'GET', '/healthz', { host })).status, 200, host);
    refused(
      await send(hub.url, 'GET', '/healthz', { host: `${FOREIGN}:${port}` }),
      403,
      'host_not_allowed',
    );
  });

  test("takes the public URL's origin from a proxy that sends its own Host", async () => {
    const created = await send(
      hub.url,
      'POST',
      '/v1/rooms',
      { host: `127.0.0.1:${hub.port}`, origin: 'https://huddle.example.com', ...JSON_TYPE },
      JSON.stringify({ name: 'proxied', label: 'web' }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
});

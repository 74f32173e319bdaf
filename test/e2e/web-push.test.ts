// Web Push from the hub, against a local HTTP server standing in for a push service: it decrypts
// what it receives with the subscription's own keys and checks the VAPID signature. The three
// things that notify, who is told, 404/410 and retries, revoked members, rooms not subscribed,
// and each refusal of the subscription routes.

import assert from 'node:assert/strict';
import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { createHubClient, type HubClient } from '../../src/client/hub-client.js';
import { createLogger } from '../../src/server/logger.js';
import { createPushNotifier } from '../../src/server/push/notifier.js';
import type { Scope } from '../../src/core/types.js';
import type { PushNotification } from '../../src/core/push/push-notifications.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { addPerson as addPersonMember } from '../helpers/person-member.js';

const ece = createRequire(import.meta.url)('http_ece') as {
  decrypt(
    body: Buffer,
    params: { version: 'aes128gcm'; privateKey: ECDH; authSecret: Buffer },
  ): Buffer;
};

const ROOM = 'push-a';
/** The stand-in's answer that never comes. */
const HANG = -1;
const OTHER_ROOM = 'push-b';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The push service stand-in: records every POST and answers with the queued status (201 when none). */
function startStandIn() {
  const received: Received[] = [];
  const answers = new Map<string, number[]>();
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const status = answers.get(req.url ?? '')?.shift() ?? 201;
      // A push service that never answers: the hub's deadline ends the request.
      if (status === HANG) return void wakeAll();
      res.writeHead(status, status === 503 ? { 'retry-after': '0' } : {}).end();
      wakeAll();
    });
  });
  const wakeAll = () => {
    for (const wake of waiters.splice(0)) wake();
  };
  return {
    received,
    answers,
    server,
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    /** Resolves once `count` pushes reached `path`. */
    async until(path: string, count = 1): Promise<Received[]> {
      for (;;) {
        const got = received.filter((r) => r.path === path);
        if (got.length >= count) return got;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    to: (path: string) => received.filter((r) => r.path === path),
  };
}

/** A browser's subscription keys: an ECDH P-256 pair and 16 random bytes of auth secret. */
function browserKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    ecdh,
    auth,
    json: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
  };
}
type Keys = ReturnType<typeof browserKeys>;

let hub: TestHub;
let standIn: ReturnType<typeof startStandIn>;
let pushBase: string;
let admin: HubClient;
let adminToken: string;
let publicKey: string;

/** A person's member (as a signed-in browser has), with its human agent unless `agent` is false. */
async function addPerson(room: string, label: string, scopes: Scope[], agent = true) {
  const person = await addPersonMember(hub, room, {
    label,
    scopes,
    agent: agent ? label : undefined,
  });
  return { token: person.token, client: person.api, memberId: person.member.id };
}

const call = (method: string, path: string, token: string | null, body?: unknown) =>
  fetch(`${hub.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function subscribe(room: string, token: string, path: string, keys: Keys) {
  const res = await call('PUT', `/v1/rooms/${room}/push`, token, {
    endpoint: `${pushBase}${path}`,
    keys: keys.json,
    expirationTime: null,
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.deepEqual(await res.json(), { subscribed: true });
}

async function refused(res: Response, status: number, code: string, field?: string) {
  const body = (await res.json()) as {
    error: { code: string; details: { field?: string; issues?: Array<{ field: string }> } };
  };
  assert.deepEqual([res.status, body.error.code], [status, code], JSON.stringify(body));
  const { details } = body.error;
  if (field !== undefined) assert.equal(details.field ?? details.issues?.[0]?.field, field);
}

/** Decrypts a push with the subscription's keys and checks its VAPID header; returns the payload. */
function open(push: Received, keys: Keys): PushNotification {
  assert.equal(push.headers['content-encoding'], 'aes128gcm');
  assert.ok(Number(push.headers.ttl) > 0);
  const auth = /^vapid t=([^,]+), k=(\S+)$/.exec(String(push.headers.authorization));
  assert.ok(auth, `Authorization: ${push.headers.authorization}`);
  const [, jwt, k] = auth;
  assert.equal(k, publicKey);
  const [head, claims, signature] = jwt!.split('.');
  assert.deepEqual(JSON.parse(Buffer.from(head!, 'base64url').toString()), {
    typ: 'JWT',
    alg: 'ES256',
  });
  const point = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  assert.ok(
    verify(
      'sha256',
      Buffer.from(`${head}.${claims}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature!, 'base64url'),
    ),
    'the VAPID JWT is signed by the hub’s key',
  );
  const payload = JSON.parse(Buffer.from(claims!, 'base64url').toString()) as {
    aud: string;
    exp: number;
    sub: string;
  };
  assert.equal(payload.aud, pushBase);
  assert.ok(payload.exp > Date.now() / 1000 && payload.exp <= Date.now() / 1000 + 24 * 3600);
  assert.equal(payload.sub, 'mailto:huddle@localhost');
  const plain = ece.decrypt(push.body, {
    version: 'aes128gcm',
    privateKey: keys.ecdh,
    authSecret: keys.auth,
  });
  return JSON.parse(plain.toString('utf8')) as PushNotification;
}

/** Nothing more is on its way: every event read, every push answered. */
const settled = () => hub.push.idle();

let alice: Awaited<ReturnType<typeof addPerson>>;
let bob: Awaited<ReturnType<typeof addPerson>>;
const aliceKeys = browserKeys();
const bobKeys = browserKeys();

before(async () => {
  standIn = startStandIn();
  pushBase = await standIn.listen();
  // The stand-in push service listens on loopback, which a hub refuses unless its owner allows it.
  hub = await startTestHub({ HUDDLE_PUSH_ENDPOINTS: 'http://127.0.0.1:*' });
  const created = await createHubClient({ url: hub.url }).createRoom({
    name: ROOM,
    label: 'laptop',
  });
  adminToken = created.token;
  admin = createHubClient({ url: hub.url, token: adminToken });
  await admin.registerAgent(ROOM, { name: 'claude-a', client: 'claude-code' });
  alice = await addPerson(ROOM, 'alice', ['read', 'write', 'approve']);
  bob = await addPerson(ROOM, 'bob', ['read', 'write']);
  const res = await call('GET', '/v1/push/key', null);
  assert.equal(res.status, 200);
  publicKey = ((await res.json()) as { public_key: string }).public_key;
  await subscribe(ROOM, alice.token, '/push/alice', aliceKeys);
  await subscribe(ROOM, bob.token, '/push/bob', bobKeys);
});
after(async () => {
  await hub?.stop();
  standIn?.server.closeAllConnections();
  standIn?.server.close();
});

describe('the hub’s VAPID key', () => {
  test('is a P-256 public key, made once and kept in the store for every hub on it', async () => {
    const point = Buffer.from(publicKey, 'base64url');
    assert.equal(point.length, 65);
    assert.equal(point[0], 4);
    const again = (await (await call('GET', '/v1/push/key', null)).json()) as object;
    assert.deepEqual(again, { public_key: publicKey });
    // A second hub on the same database signs with the same key.
    const second = await startTestHub({
      HUDDLE_STORE: hub.config.store,
      HUDDLE_PUSH_ENDPOINTS: 'http://127.0.0.1:*',
    });
    try {
      const res = await fetch(`${second.url}/v1/push/key`);
      assert.deepEqual(await res.json(), { public_key: publicKey });
    } finally {
      await second.stop();
    }
  });
});

describe('what notifies', () => {
  test('an agent starting to wait tells every subscribed person in the room', async () => {
    await admin.heartbeat(ROOM, 'claude-a', 'waiting');
    const [toAlice] = await standIn.until('/push/alice');
    const [toBob] = await standIn.until('/push/bob');
    for (const [push, keys] of [
      [toAlice!, aliceKeys],
      [toBob!, bobKeys],
    ] as const) {
      assert.deepEqual(open(push, keys), {
        title: 'claude-a is waiting for you',
        body: `In room ${ROOM}, claude-a is waiting for a person's input.`,
        url: `/#/rooms/${ROOM}`,
        tag: `waiting:${ROOM}:claude-a`,
        room: ROOM,
        kind: 'waiting',
      });
    }
    // Waiting again without a change of status tells nobody again.
    await admin.heartbeat(ROOM, 'claude-a', 'waiting');
    await admin.heartbeat(ROOM, 'claude-a', 'working');
    await settled();
    assert.equal(standIn.to('/push/alice').length, 1);
  });

  test('an approval request tells only the people who may approve', async () => {
    const before = standIn.to('/push/bob').length;
    const { approval } = await admin.requestApproval(ROOM, 'claude-a', {
      tool: 'Bash',
      input_preview: 'rm -rf build/',
      reason: 'Clean the build',
    });
    const pushes = await standIn.until('/push/alice', 2);
    assert.deepEqual(open(pushes[1]!, aliceKeys), {
      title: 'claude-a asks to use Bash',
      body: `Clean the build (room ${ROOM})`,
      url: `/#/rooms/${ROOM}/approvals/${approval.id}`,
      tag: `approval:${ROOM}:${approval.id}`,
      room: ROOM,
      kind: 'approval',
    });
    await settled();
    assert.equal(standIn.to('/push/bob').length, before, 'bob has no approve scope');
  });

  test('a message to a person’s agent tells that person; broadcasts only when urgent', async () => {
    const bobBefore = standIn.to('/push/bob').length;
    const body = `Please review ${'the parser change '.repeat(20)}`;
    const { message } = await admin.send(ROOM, 'claude-a', { to: 'alice', body, kind: 'review' });
    const pushes = await standIn.until('/push/alice', 3);
    const n = open(pushes[2]!, aliceKeys);
    assert.equal(n.kind, 'message');
    assert.equal(n.url, `/#/rooms/${ROOM}/messages/${message.id}`);
    assert.equal(n.title, `claude-a (review) in ${ROOM}`);
    assert.equal([...n.body].length, 200);
    assert.ok(n.body.startsWith('Please review the parser change') && n.body.endsWith('…'));
    // A broadcast tells nobody; an urgent one tells every person.
    await admin.send(ROOM, 'claude-a', { to: '*', body: 'lunch' });
    await settled();
    assert.equal(standIn.to('/push/alice').length, 3);
    assert.equal(standIn.to('/push/bob').length, bobBefore);
    await admin.send(ROOM, 'claude-a', { to: '*', body: 'prod is down', priority: 'urgent' });
    const urgent = open((await standIn.until('/push/bob', bobBefore + 1)).at(-1)!, bobKeys);
    assert.equal(urgent.title, `Urgent: claude-a (chat) in ${ROOM}`);
    assert.equal(urgent.body, 'prod is down');
    assert.equal(open((await standIn.until('/push/alice', 4))[3]!, aliceKeys).body, 'prod is down');
    // A person's own message tells nobody about itself; the other person is told.
    await alice.client.send(ROOM, 'alice', { to: ['bob', 'claude-a'], body: 'on it' });
    const toBob = open((await standIn.until('/push/bob', bobBefore + 2)).at(-1)!, bobKeys);
    assert.equal(toBob.title, `alice (chat) in ${ROOM}`);
    await settled();
    assert.equal(standIn.to('/push/alice').length, 4);
  });
});

describe('delivery', () => {
  test('a 410 or 404 from the push service deletes the subscription; a 503 is retried once', async () => {
    const gone = browserKeys();
    const flaky = browserKeys();
    const broken = browserKeys();
    await subscribe(ROOM, alice.token, '/push/gone', gone);
    await subscribe(ROOM, alice.token, '/push/flaky', flaky);
    await subscribe(ROOM, alice.token, '/push/broken', broken);
    standIn.answers.set('/push/gone', [410]);
    standIn.answers.set('/push/flaky', [503]);
    standIn.answers.set('/push/broken', [503, 503, 503]);
    await admin.heartbeat(ROOM, 'claude-a', 'waiting');
    await standIn.until('/push/flaky', 2);
    await settled();
    assert.equal(standIn.to('/push/gone').length, 1);
    assert.equal(standIn.to('/push/broken').length, 2, 'one retry, never more');
    assert.equal(open(standIn.to('/push/flaky')[1]!, flaky).kind, 'waiting');
    const list = await call('GET', `/v1/rooms/${ROOM}/push`, alice.token);
    const endpoints = (
      (await list.json()) as { subscriptions: Array<{ endpoint: string }> }
    ).subscriptions.map((s) => s.endpoint);
    assert.deepEqual(endpoints.sort(), [
      `${pushBase}/push/alice`,
      `${pushBase}/push/broken`,
      `${pushBase}/push/flaky`,
    ]);
    // Unsubscribing stops them.
    for (const path of ['/push/broken', '/push/flaky']) {
      const res = await call('DELETE', `/v1/rooms/${ROOM}/push`, alice.token, {
        endpoint: `${pushBase}${path}`,
      });
      assert.deepEqual([res.status, await res.json()], [200, { unsubscribed: true }]);
    }
    await admin.heartbeat(ROOM, 'claude-a', 'working');
    await admin.heartbeat(ROOM, 'claude-a', 'waiting');
    await settled();
    assert.equal(standIn.to('/push/flaky').length, 2);
    assert.equal(standIn.to('/push/broken').length, 2);
  });

  test('a push service that never answers meets the deadline, is retried once, and no log names the endpoint', async () => {
    // A notifier of its own, with a short deadline, for a room the hub's notifier does not
    // follow (the subscription is stored directly, not through the route).
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) });
    const notifier = createPushNotifier(
      hub.hub,
      { subject: 'mailto:ops@example.com', timeoutMs: 200, retryDelayMs: 10 },
      logger,
    );
    try {
      const created = await createHubClient({ url: hub.url }).createRoom({
        name: 'push-slow',
        label: 'laptop',
      });
      const slow = createHubClient({ url: hub.url, token: created.token });
      await slow.registerAgent('push-slow', { name: 'gemini-c', client: 'gemini' });
      const person = await addPerson('push-slow', 'erin', ['read'], false);
      const room = (await hub.store.findRoom('push-slow'))!;
      const keys = browserKeys();
      await hub.store.putPushSubscription(
        {
          room_id: room.id,
          member_id: person.memberId,
          endpoint: `${pushBase}/push/slow-secret-id`,
          p256dh: keys.json.p256dh,
          auth: keys.json.auth,
          created_at: Date.now(),
        },
        10,
      );
      await notifier.follow(room.id);
      standIn.answers.set('/push/slow-secret-id', [HANG, HANG]);
      const started = Date.now();
      await slow.heartbeat('push-slow', 'gemini-c', 'waiting');
      await standIn.until('/push/slow-secret-id', 2);
      await notifier.idle();
      assert.ok(Date.now() - started >= 400, 'each attempt waited for its deadline');
      assert.equal(standIn.to('/push/slow-secret-id').length, 2);
      const logged = lines.join('');
      assert.match(logged, /push failed/);
      assert.ok(logged.includes(pushBase), 'the push service is named by its origin');
      assert.ok(!logged.includes('slow-secret-id'), logged);
    } finally {
      await notifier.close();
    }
  });

  test('a revoked member gets nothing, and its subscriptions are gone', async () => {
    const carolKeys = browserKeys();
    const carol = await addPerson(ROOM, 'carol', ['read', 'write']);
    await subscribe(ROOM, carol.token, '/push/carol', carolKeys);
    await admin.revoke(ROOM, carol.memberId);
    await admin.heartbeat(ROOM, 'claude-a', 'working');
    await admin.heartbeat(ROOM, 'claude-a', 'waiting');
    await settled();
    assert.equal(standIn.to('/push/carol').length, 0);
    const room = (await hub.store.findRoom(ROOM))!;
    assert.deepEqual(await hub.store.listPushSubscriptions(room.id, carol.memberId), []);
  });

  test('a room the person did not subscribe in notifies nobody', async () => {
    const created = await createHubClient({ url: hub.url }).createRoom({
      name: OTHER_ROOM,
      label: 'laptop',
    });
    const other = createHubClient({ url: hub.url, token: created.token });
    await other.registerAgent(OTHER_ROOM, { name: 'codex-b', client: 'codex' });
    await addPerson(OTHER_ROOM, 'alice', ['read', 'write', 'approve']);
    const count = standIn.received.length;
    await other.heartbeat(OTHER_ROOM, 'codex-b', 'waiting');
    await other.send(OTHER_ROOM, 'codex-b', { to: 'alice', body: 'hello', priority: 'urgent' });
    await settled();
    assert.equal(standIn.received.length, count);
  });
});

describe('a signed-in browser', () => {
  test('subscribes with its session cookie and CSRF value, and its person is told', async () => {
    const { code } = await admin.createCode(ROOM, { scopes: ['read', 'write'] });
    const signIn = await fetch(`${hub.url}/v1/web/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, name: 'frank' }),
    });
    assert.equal(signIn.status, 201);
    const { csrf } = (await signIn.json()) as { csrf: string };
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const keys = browserKeys();
    const body = JSON.stringify({ endpoint: `${pushBase}/push/frank`, keys: keys.json });
    const headers = { 'content-type': 'application/json', cookie };
    // The cookie alone is not enough: the page's CSRF value goes with it.
    const forged = await fetch(`${hub.url}/v1/rooms/${ROOM}/push`, {
      method: 'PUT',
      headers,
      body,
    });
    assert.equal(forged.status, 401);
    const res = await fetch(`${hub.url}/v1/rooms/${ROOM}/push`, {
      method: 'PUT',
      headers: { ...headers, 'x-huddle-csrf': csrf },
      body,
    });
    assert.deepEqual([res.status, await res.json()], [200, { subscribed: true }]);
    const { message } = await admin.send(ROOM, 'claude-a', { to: 'frank', body: 'a question' });
    const [push] = await standIn.until('/push/frank');
    const n = open(push!, keys);
    assert.deepEqual(
      [n.kind, n.body, n.url],
      ['message', 'a question', `/#/rooms/${ROOM}/messages/${message.id}`],
    );
  });
});

describe('subscription refusals', () => {
  const endpoint = () => `${pushBase}/push/refused`;
  const put = (token: string | null, body: unknown) =>
    call('PUT', `/v1/rooms/${ROOM}/push`, token, body);
  const list = async () =>
    (
      (await (await call('GET', `/v1/rooms/${ROOM}/push`, bob.token)).json()) as {
        subscriptions: unknown[];
      }
    ).subscriptions.length;

  test('each bad field is refused, naming it, and nothing is stored', async () => {
    const before = await list();
    const keys = browserKeys().json;
    const cases: Array<[unknown, number, string, string?]> = [
      [
        { endpoint: 'http://push.example.com/x', keys },
        400,
        'invalid_push_subscription',
        'endpoint',
      ],
      [{ endpoint: 'ftp://127.0.0.1/x', keys }, 400, 'invalid_push_subscription', 'endpoint'],
      // Addresses inside the network, and look-alike names, are not push services.
      [{ endpoint: 'https://10.0.0.5/x', keys }, 400, 'invalid_push_subscription', 'endpoint'],
      [{ endpoint: 'http://127.0.0.2:80/x', keys }, 400, 'invalid_push_subscription', 'endpoint'],
      [
        { endpoint: 'https://fcm.googleapis.com.evil.example/x', keys },
        400,
        'invalid_push_subscription',
        'endpoint',
      ],
      [{ endpoint: 'not a url', keys }, 400, 'invalid_push_subscription', 'endpoint'],
      [
        { endpoint: 'https://u:p@push.example.com/x', keys },
        400,
        'invalid_push_subscription',
        'endpoint',
      ],
      [
        { endpoint: `https://push.example.com/${'x'.repeat(1000)}`, keys },
        400,
        'invalid_push_subscription',
        'endpoint',
      ],
      [
        { endpoint: endpoint(), keys: { ...keys, p256dh: keys.p256dh.slice(0, 40) } },
        400,
        'invalid_push_subscription',
        'keys.p256dh',
      ],
      [
        {
          endpoint: endpoint(),
          keys: { ...keys, p256dh: Buffer.alloc(65, 4).toString('base64url') },
        },
        400,
        'invalid_push_subscription',
        'keys.p256dh',
      ],
      [
        { endpoint: endpoint(), keys: { ...keys, auth: randomBytes(15).toString('base64url') } },
        400,
        'invalid_push_subscription',
        'keys.auth',
      ],
      [
        { endpoint: endpoint(), keys: { ...keys, auth: '***' } },
        400,
        'invalid_push_subscription',
        'keys.auth',
      ],
      [{ endpoint: endpoint() }, 400, 'invalid_request', 'keys'],
      [{ endpoint: endpoint(), keys, topic: 'x' }, 400, 'invalid_request', 'topic'],
    ];
    for (const [body, status, code, field] of cases) {
      await refused(await put(bob.token, body), status, code, field);
    }
    await refused(await put(null, { endpoint: endpoint(), keys }), 401, 'missing_token');
    // A device is not a person: nothing would ever reach it.
    await refused(await put(adminToken, { endpoint: endpoint(), keys }), 403, 'person_only');
    await refused(
      await call('PUT', `/v1/rooms/${OTHER_ROOM}/push`, bob.token, { endpoint: endpoint(), keys }),
      403,
      'wrong_room',
    );
    await refused(
      await call('DELETE', `/v1/rooms/${ROOM}/push`, bob.token, { endpoint: endpoint() }),
      404,
      'push_subscription_not_found',
    );
    assert.equal(await list(), before);
  });

  test('a member keeps at most 10 subscriptions; the same endpoint again only refreshes its keys', async () => {
    const dave = await addPerson(ROOM, 'dave', ['read'], false);
    for (let i = 0; i < 10; i++)
      await subscribe(ROOM, dave.token, `/push/dave-${i}`, browserKeys());
    await subscribe(ROOM, dave.token, '/push/dave-3', browserKeys());
    await refused(
      await call('PUT', `/v1/rooms/${ROOM}/push`, dave.token, {
        endpoint: `${pushBase}/push/dave-10`,
        keys: browserKeys().json,
      }),
      409,
      'too_many_push_subscriptions',
    );
    const res = await call('GET', `/v1/rooms/${ROOM}/push`, dave.token);
    const { subscriptions } = (await res.json()) as {
      subscriptions: Array<{ endpoint: string; created_at: string }>;
    };
    assert.equal(subscriptions.length, 10);
    assert.deepEqual(Object.keys(subscriptions[0]!).sort(), ['created_at', 'endpoint']);
  });
});

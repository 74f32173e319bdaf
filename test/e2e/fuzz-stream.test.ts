// Property-based fuzzing of the WebSocket stream: generated frames (every client frame type with
// mutated fields, any JSON, broken JSON, deep nesting, binary, over 1 MiB, bad UTF-8), bursts of
// them, and generated upgrade requests. The hub answers each frame with its documented answer or
// an `error` frame (never `internal_error`), or closes with the documented code; it logs no error,
// the process sees no crash, and a second, well-behaved connection keeps receiving events.
//
// HUDDLE_FUZZ_RUNS=2000 node --test dist/test/e2e/fuzz-stream.test.js runs each property longer.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { request } from 'node:http';
import {
  AGENTS,
  PERSON_AGENT,
  ROOM,
  assertNoHubErrors,
  assertStillServing,
  startFuzzWorld,
  watchCrashes,
} from '../helpers/fuzz-hub.js';
import {
  anyJson,
  bodyOf,
  brokenJson,
  fuzzOptions,
  headerSafe,
  nastyInt,
  nastyString,
  oneOr,
} from '../helpers/fuzz-values.js';
import { openPeer, type Frame, type WsPeer } from '../helpers/ws-peer.js';

const crashes = watchCrashes();
const world = await startFuzzWorld();
const wsUrl = `${world.hub.url.replace('http', 'ws')}/v1/stream`;
/** The attacking connection is also a signed-in browser, so `auth` with `csrf` has a session. */
const browser = await world.browser();

/** The types of server frames in docs/protocol.md. */
const SERVER_TYPES = new Set([
  'authenticated',
  'subscribed',
  'event',
  'unsubscribed',
  'pong',
  'presence',
  'injected',
  'sent',
  'error',
]);

let observer: WsPeer;
let fuzzed: WsPeer | undefined;
let probes = 0;

before(async () => {
  observer = await openPeer(wsUrl, { headers: { authorization: `Bearer ${world.person}` } });
  observer.ws.send(
    JSON.stringify({ type: 'subscribe', room: ROOM, agent: PERSON_AGENT, ref: 'o' }),
  );
  assert.ok(await observer.until((f) => f.type === 'subscribed'));
});
after(async () => {
  await fuzzed?.close();
  await observer.close();
  await world.stop();
  crashes.dispose();
});

/** The connection under attack, reopened after the hub closed it. */
async function target(): Promise<WsPeer> {
  if (!fuzzed || fuzzed.closed) {
    fuzzed = await openPeer(wsUrl, {
      headers: { authorization: `Bearer ${world.admin}`, cookie: browser.cookie },
    });
  }
  return fuzzed;
}

/**
 * Sends `data`, then a `ping` probe; resolves with the frames that came before the probe's `pong`
 * (frames are handled in order, so those answer `data`), or with the close if the hub closed.
 */
async function roundTrip(
  peer: WsPeer,
  sends: Array<{ data: string | Buffer; binary: boolean }>,
): Promise<{ frames: Frame[]; closed: WsPeer['closed'] }> {
  const from = peer.frames.length;
  const ref = `probe-${++probes}`;
  for (const s of sends) peer.ws.send(s.data, { binary: s.binary });
  peer.ws.send(JSON.stringify({ type: 'ping', ref }));
  const pong = await peer.until((f) => f.type === 'pong' && f.ref === ref, from);
  const end = pong ? peer.frames.indexOf(pong, from) : peer.frames.length;
  return { frames: peer.frames.slice(from, end), closed: pong ? null : peer.closed };
}

/** An `error` frame as documented, and never the hub's own failure. */
function assertErrorFrame(f: Frame, what: string): void {
  assert.equal(typeof f.code, 'string', `${what}: error code in ${JSON.stringify(f)}`);
  assert.notEqual(f.code, 'internal_error', `${what}: ${JSON.stringify(f)}`);
  assert.equal(typeof f.message, 'string', what);
  assert.equal(typeof f.retryable, 'boolean', what);
  assert.ok(f.details && typeof f.details === 'object', what);
}

/** The frames the hub sent back are its own kinds; errors are well formed. */
function assertServerFrames(frames: Frame[], what: string): void {
  for (const f of frames) {
    assert.ok(SERVER_TYPES.has(String(f.type)), `${what}: unknown frame ${JSON.stringify(f)}`);
    if (f.type === 'error') assertErrorFrame(f, what);
  }
}

const str = nastyString;
const ref = fc.oneof(
  { weight: 12, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: anyJson },
);
const room = fc.oneof(
  { weight: 6, arbitrary: fc.constant(ROOM) },
  { weight: 1, arbitrary: fc.constantFrom('no-such-room', 'UPPER', '') },
  { weight: 2, arbitrary: str },
);
const agent = oneOr<string>([...AGENTS, PERSON_AGENT, 'ghost'], str);
const token = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(world.admin, world.person) },
  { weight: 2, arbitrary: str },
);
const ids = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.oneof(fc.constantFrom(...world.ids.messages), str)) },
  { weight: 1, arbitrary: fc.constant(Array.from({ length: 1_001 }, () => 'msg_x')) },
);
const message = bodyOf(
  {
    to: fc.oneof(agent, fc.constant('*'), fc.array(agent, { maxLength: 17 })),
    body: oneOr(['fuzzed over the stream'], str),
    kind: oneOr(['finding', 'chat', 'review'], str),
    thread: oneOr(['t-1'], str),
    reply_to: oneOr(world.ids.messages, str),
    refs: fc.array(bodyOf({ path: str, start_line: nastyInt, end_line: nastyInt }, ['path']), {
      maxLength: 2,
    }),
    priority: oneOr(['normal', 'urgent'], str),
  },
  ['to', 'body'],
);

/** Each client frame's fields and the ones it needs, as docs/protocol.md lists them. */
const FRAMES: Record<string, [Record<string, fc.Arbitrary<unknown>>, string[]]> = {
  auth: [{ token, csrf: oneOr([browser.csrf], str), ref }, []],
  subscribe: [{ room, after: nastyInt, agent, token, ref }, ['room']],
  unsubscribe: [{ room, ref }, ['room']],
  ping: [{ ref }, []],
  presence: [
    { room, agent, status: fc.oneof(fc.constantFrom('online', 'idle', 'offline'), str), ref },
    ['room', 'agent'],
  ],
  injected: [{ room, agent, ids, ref }, ['room', 'agent', 'ids']],
  send: [
    { room, agent, message, idempotency_key: oneOr(['key-1'], str), ref },
    ['room', 'agent', 'message'],
  ],
};

/** A frame of one type with that type's fields, its `type` now and then another or not a name. */
const typedFrame = fc
  .constantFrom(...Object.keys(FRAMES))
  .chain((shape) =>
    fc
      .tuple(
        fc.oneof(
          { weight: 10, arbitrary: fc.constant<unknown>(shape) },
          { weight: 1, arbitrary: fc.constantFrom<unknown>(...Object.keys(FRAMES)) },
          { weight: 1, arbitrary: anyJson },
        ),
        bodyOf(...FRAMES[shape]!),
      )
      .map(([type, fields]) => ({ type, ...fields })),
  );

/** What a client may put in one WebSocket message, and what the hub must do with it. */
type Sent = {
  data: string | Buffer;
  binary: boolean;
  /** `answer`: an answer or an error frame; `invalid`: an `invalid_frame` error; or a close code. */
  expect: 'answer' | 'invalid' | 1009 | 1007;
};

const sent: fc.Arbitrary<Sent> = fc.oneof(
  {
    weight: 40,
    arbitrary: typedFrame.map((f): Sent => ({
      data: JSON.stringify(f),
      binary: false,
      expect: 'answer',
    })),
  },
  {
    weight: 2,
    arbitrary: anyJson.map((v): Sent => ({
      data: JSON.stringify(v) ?? 'null',
      binary: false,
      expect: 'answer',
    })),
  },
  {
    weight: 3,
    arbitrary: brokenJson.map((t): Sent => ({ data: t, binary: false, expect: 'answer' })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(17, 100, 100_000).map((n): Sent => ({
      data: `{"type":"ping","ref":${'['.repeat(n)}${']'.repeat(n)}}`,
      binary: false,
      expect: 'invalid',
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .uint8Array({ maxLength: 64 })
      .map((b): Sent => ({ data: Buffer.from(b), binary: true, expect: 'invalid' })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), binary: false, expect: 1007 } as Sent,
      { data: Buffer.from([0xc3]), binary: false, expect: 1007 } as Sent,
    ),
  },
);

/** Over the 1 MiB frame limit: rare, since each one costs a connection. */
const oversized: fc.Arbitrary<Sent> = fc.constantFrom(1_048_577, 2_000_000).map((n) => ({
  data: `{"type":"ping","ref":"${'x'.repeat(n - 24)}"}`,
  binary: false,
  expect: 1009,
}));

/** The observer still follows the room: a note written now reaches it. */
async function assertObserverLive(text: string): Promise<void> {
  assert.equal(observer.closed, null, 'the well-behaved connection is still open');
  const from = observer.frames.length;
  await world.api.writeNote(ROOM, text);
  const got = await observer.until(
    (f) => f.type === 'event' && (f.event as { body?: { text?: string } }).body?.text === text,
    from,
  );
  assert.ok(got, `the observer received the note "${text}"`);
}

test('every frame gets its answer, an error frame, or its documented close', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof({ weight: 60, arbitrary: sent }, { weight: 1, arbitrary: oversized }),
      async (s) => {
        const peer = await target();
        const { frames, closed } = await roundTrip(peer, [s]);
        const what = `frame ${String(s.data).slice(0, 200)}`;
        assertServerFrames(frames, what);
        if (s.expect === 1009 || s.expect === 1007) {
          assert.equal(closed?.code, s.expect, `${what}: closed with ${JSON.stringify(closed)}`);
        } else {
          assert.equal(closed, null, `${what}: the connection stays open`);
        }
        if (s.expect === 'invalid') {
          assert.ok(
            frames.some((f) => f.type === 'error' && f.code === 'invalid_frame'),
            `${what}: answered ${JSON.stringify(frames)}`,
          );
        }
        // An answer to a frame with a ref carries that ref (events carry none).
        if (s.expect === 'answer' && typeof s.data === 'string') {
          const r = refOf(s.data);
          for (const f of frames) {
            if (f.type !== 'event' && f.ref !== undefined && r !== undefined) {
              assert.equal(f.ref, r, `${what}: answer ${JSON.stringify(f).slice(0, 300)}`);
            }
          }
        }
        assert.equal(observer.closed, null, 'the observer is still connected');
        assertNoHubErrors(world);
        crashes.assertNone();
      },
    ),
    fuzzOptions(300),
  );
  await assertObserverLive('after single frames');
  await assertStillServing(world);
});

test('a burst of frames, more than the hub reads before it pauses, is answered in order and never shed', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(sent, { minLength: 1, maxLength: 400 }), async (burst) => {
      // Frames that end the connection on their own are tried one at a time above.
      const frames = burst.filter((s) => s.expect !== 1007 && s.expect !== 1009);
      const peer = await target();
      const result = await roundTrip(peer, frames);
      assertServerFrames(result.frames, 'burst');
      assert.equal(result.closed, null, `burst closed with ${JSON.stringify(result.closed)}`);
      assert.equal(observer.closed, null, 'the observer is still connected');
      assertNoHubErrors(world);
      crashes.assertNone();
    }),
    fuzzOptions(40),
  );
  await assertObserverLive('after bursts');
});

/** Sends an upgrade request by hand and resolves with the status the hub answered. */
function upgrade(path: string, headers: Record<string, string | undefined>): Promise<number> {
  const url = new URL(world.hub.url);
  const all: Record<string, string> = {
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'sec-websocket-version': '13',
  };
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) all[k] = v;
  return new Promise((resolve, reject) => {
    const r = request({ host: url.hostname, port: url.port, path, headers: all });
    const timer = setTimeout(
      () => r.destroy(new Error(`no answer to the upgrade of ${path}`)),
      10_000,
    );
    r.on('upgrade', (res, socket) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    r.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    r.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    r.end();
  });
}

test('an upgrade request is accepted or refused with a 4xx, never a 5xx or a hang', async () => {
  const port = world.hub.port;
  const req = fc.record({
    path: fc.oneof(
      { weight: 6, arbitrary: fc.constant('/v1/stream') },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '/v1/stream?token=x',
          '/v1/stream?access_token=',
          '/v1/stream?a=%zz',
          '/v1/stream/',
          '/v1/streams',
          '/v1/stream?room=fuzz&after=1',
          '/%',
          '//v1/stream',
        ),
      },
    ),
    authorization: fc.oneof(
      { weight: 3, arbitrary: fc.constant(`Bearer ${world.admin}`) },
      { weight: 2, arbitrary: fc.constant(undefined) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          'Bearer',
          '',
          'Basic x',
          `Bearer ${world.admin} x`,
          'Bearer hd_x',
        ),
      },
      { weight: 1, arbitrary: nastyString.map(headerSafe) },
    ),
    origin: fc.constantFrom(
      undefined,
      `http://127.0.0.1:${port}`,
      'null',
      'http://evil.example',
      'not a url',
    ),
    host: fc.constantFrom(undefined, `127.0.0.1:${port}`, 'localhost', 'evil.example'),
    cookie: fc.option(
      nastyString.map((s) => `huddle_session=${headerSafe(s)}`),
      { nil: undefined },
    ),
    // The WebSocket handshake's own headers, which the `ws` library checks.
    handshake: fc.record(
      {
        'sec-websocket-key': fc.constantFrom('', 'short', 'dGhlIHNhbXBsZSBub25jZQ=', '!!!!'),
        'sec-websocket-version': fc.constantFrom('8', '14', 'x', '13, 8', ''),
        'sec-websocket-extensions': fc.oneof(
          fc.constantFrom(
            'permessage-deflate',
            'permessage-deflate; client_max_window_bits=99',
            'permessage-deflate; server_max_window_bits',
            'permessage-deflate; x=1, permessage-deflate',
            'foo; =;;',
            ';',
          ),
          nastyString.map(headerSafe),
        ),
        'sec-websocket-protocol': fc.oneof(
          fc.constantFrom('a, a', 'a,,b', ' ', 'huddle'),
          nastyString.map(headerSafe),
        ),
        upgrade: fc.constantFrom('WebSocket', 'h2c', 'websocket, foo'),
      },
      { requiredKeys: [] },
    ),
  });
  await fc.assert(
    fc.asyncProperty(req, async (r) => {
      const status = await upgrade(r.path, {
        authorization: r.authorization,
        origin: r.origin,
        host: r.host,
        cookie: r.cookie,
        ...r.handshake,
      });
      assert.ok(
        status === 101 || (status >= 400 && status < 500),
        `upgrade ${JSON.stringify(r)} answered ${status}`,
      );
      assertNoHubErrors(world);
      crashes.assertNone();
    }),
    fuzzOptions(100),
  );
  await assertObserverLive('after upgrades');
  await assertStillServing(world);
});

/** The `ref` of a frame's text, when it is an object with a string `ref`. */
function refOf(text: string): string | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    const r = v && typeof v === 'object' ? (v as Frame).ref : undefined;
    return typeof r === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

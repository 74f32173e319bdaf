// Property-based fuzzing of the REST API: for every route of docs/protocol.md, generated bodies
// (wrong types, nasty and huge strings, deep values, broken JSON, bad UTF-8), path parameters,
// query strings, tokens and idempotency keys; then any method on any path, the edge's Host, Origin
// and Content-Type rules, and bodies over the limit. Every answer is below 500 and every refusal
// carries the error envelope; the hub logs no error, the process sees no crash, and after each
// route /healthz answers and a note is still written.
//
// HUDDLE_FUZZ_RUNS=2000 node --test dist/test/e2e/fuzz-rest.test.js runs each property longer.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import fc from 'fast-check';
import {
  ROOM,
  assertNoHubErrors,
  assertRestAnswer,
  assertStillServing,
  parserRefusal,
  startFuzzWorld,
  watchCrashes,
} from '../helpers/fuzz-hub.js';
import { fuzzRoutes, knownParams, type FuzzRoute } from '../helpers/fuzz-routes.js';
import {
  anyJson,
  bodyBytes,
  bodyOf,
  fuzzOptions,
  headerSafe,
  idempotencyHeader,
  nastyString,
  pathSegment,
  queryString,
} from '../helpers/fuzz-values.js';
import { rawHttp, type RawResponse } from '../helpers/raw-http.js';

const crashes = watchCrashes();
const world = await startFuzzWorld();
after(async () => {
  await world.stop();
  crashes.dispose();
});
const port = world.hub.port;

/** Stand-ins replaced, at run time, by the scratch room of a route that destroys things. */
const SCRATCH = 'SCRATCHROOM';
const SCRATCH_MEMBER = 'SCRATCHMEMBER';
const TOKEN = 'THETOKEN';

/** The Authorization header: mostly the right token, else none, a malformed one or junk. */
const authorization: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 24, arbitrary: fc.constant(`Bearer ${TOKEN}`) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Basic Zm9vOmJhcg==',
      `bearer ${TOKEN}  `,
      `Bearer ${TOKEN} extra`,
      `Bearer hd_${'A'.repeat(43)}`,
      'Bearer hd_short',
    ),
  },
  { weight: 1, arbitrary: nastyString.map(headerSafe) },
);

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json;',
      'application/json; charset=latin1',
      'application/jsonx',
      'text/plain',
      'multipart/form-data; boundary=x',
    ),
  },
);

/** Stands for a browser signed in just before the request: its real cookie and CSRF token. */
const BROWSER = 'SIGNEDIN';

/** A browser session cookie and CSRF header now and then, real or not. */
const cookie = fc.oneof(
  { weight: 8, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.record({
      cookie: fc.constant(BROWSER),
      'x-huddle-csrf': fc.oneof(fc.constant(BROWSER), nastyString.map(headerSafe)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      cookie: fc.oneof(
        fc.constantFrom('huddle_session=', 'huddle_session=hs_x', '=; ;;', 'huddle_session'),
        nastyString.map((s) => `huddle_session=${headerSafe(s)}`),
      ),
      'x-huddle-csrf': nastyString.map(headerSafe),
    }),
  },
);

interface Generated {
  params: Record<string, string>;
  query: string;
  body: Buffer | undefined;
  who: 'admin' | 'person';
  headers: Record<string, string | undefined>;
}

function requestFor(route: FuzzRoute): fc.Arbitrary<Generated> {
  const known = knownParams(world);
  const names = [...route.path.matchAll(/:([a-z]+)/g)].map((m) => m[1]!);
  // A route that destroys things mostly gets its scratch room's own room, member and agent.
  const scratchFirst: Record<string, string[]> = {
    room: [SCRATCH],
    member: [SCRATCH_MEMBER],
    agent: ['solo'],
  };
  const params = fc.record(
    Object.fromEntries(
      names.map((name) => {
        const first = route.scratch ? (scratchFirst[name] ?? []) : [];
        return [name, pathSegment([...first, ...known[name]!])];
      }),
    ),
  );
  return fc.record({
    params,
    query: route.query
      ? queryString(route.query)
      : fc.oneof({ weight: 4, arbitrary: fc.constant('') }, queryString({})),
    body: route.body
      ? bodyBytes(bodyOf(route.body, route.required))
      : fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, bodyBytes(anyJson)),
    who: route.person
      ? fc.constantFrom('admin' as const, 'person' as const)
      : fc.constant('admin' as const),
    headers: fc
      .record({
        authorization,
        'content-type': contentType,
        'idempotency-key': idempotencyHeader,
        cookie,
      })
      .map(({ cookie: c, ...h }) => ({ ...h, ...c })),
  });
}

for (const route of fuzzRoutes(world)) {
  test(
    `${route.method} ${route.path} refuses what it cannot take with a 4xx, never a 5xx`,
    { timeout: 120_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(requestFor(route), async (g) => {
          const scratch = route.scratch ? await world.scratch() : undefined;
          const token = scratch?.token ?? (g.who === 'person' ? world.person : world.admin);
          const path =
            route.path.replace(/:([a-z]+)/g, (_, name: string) => {
              const v = g.params[name]!;
              if (v === SCRATCH) return scratch!.room;
              if (v === SCRATCH_MEMBER) return scratch!.member;
              return v;
            }) + g.query;
          const headers = { ...g.headers };
          if (headers.cookie === BROWSER) {
            // The browser speaks for itself: no bearer token, which would win over the cookie.
            const signed = await world.browser();
            headers.cookie = signed.cookie;
            if (headers['x-huddle-csrf'] === BROWSER) headers['x-huddle-csrf'] = signed.csrf;
            delete headers.authorization;
          }
          if (headers.authorization)
            headers.authorization = headers.authorization.replace(TOKEN, token);
          const res = await rawHttp(world.hub.url, {
            method: route.method,
            path,
            headers,
            body: g.body,
          });
          assertRestAnswer(res, `${route.method} ${path}`);
          assertNoHubErrors(world);
          crashes.assertNone();
        }),
        fuzzOptions(40),
      );
      await assertStillServing(world);
    },
  );
}

/** A checkout without the web build answers the cockpit's pages 503 "not built"; CI builds it. */
function cockpitMissing(r: { method: string }, res: RawResponse): boolean {
  return (
    (r.method === 'GET' || r.method === 'HEAD') &&
    res.status === 503 &&
    String(res.headers['content-type']).startsWith('text/html') &&
    (r.method === 'HEAD' || res.text.includes('The cockpit is not built'))
  );
}

test('any method on any path answers below 500, a refusal with the error envelope', async () => {
  const known = Object.values(knownParams(world)).flat();
  const method = fc.constantFrom(
    'GET',
    'POST',
    'PUT',
    'PATCH',
    'DELETE',
    'HEAD',
    'OPTIONS',
    'PROPFIND',
  );
  const prefix = fc.constantFrom(
    '',
    '/v1',
    '/v1/rooms',
    `/v1/rooms/${ROOM}`,
    `/v1/rooms/${ROOM}/agents/ada`,
    `/v1/rooms/${ROOM}/tasks`,
    '/mcp',
    '/v1/stream',
    '/v1/web',
    '/healthz',
    '/readyz',
  );
  const path = fc
    .tuple(prefix, fc.array(pathSegment(known), { maxLength: 4 }), queryString({}), fc.boolean())
    .map(
      ([p, segs, q, slash]) =>
        `${`${p}${segs.map((s) => `/${s}`).join('')}${slash ? '/' : ''}` || '/'}${q}`,
    );
  const request = fc.record({
    method,
    path,
    body: fc.option(bodyBytes(anyJson), { nil: undefined }),
    authorization: fc.constantFrom(`Bearer ${world.admin}`, undefined),
  });
  // What would end this test's world with the admin's own token (deleting its room, rotating the
  // token away) is left to the routes' own cases, which run it on a scratch room.
  const endsTheWorld = (r: { method: string; path: string; authorization?: string }) =>
    r.authorization !== undefined &&
    ((r.method === 'DELETE' && new RegExp(`^/v1/rooms/${ROOM}/?(\\?|$)`).test(r.path)) ||
      (r.method === 'POST' && new RegExp(`^/v1/rooms/${ROOM}/rotate/?(\\?|$)`).test(r.path)));
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      fc.pre(!endsTheWorld(r));
      const res = await rawHttp(world.hub.url, {
        method: r.method,
        path: r.path,
        headers: { authorization: r.authorization, 'content-type': 'application/json' },
        body: r.body,
      });
      const what = `${r.method} ${r.path}`;
      if (r.method === 'HEAD') assert.ok(res.status < 500 || cockpitMissing(r, res), what);
      else if (!cockpitMissing(r, res)) assertRestAnswer(res, what);
      assertNoHubErrors(world);
      crashes.assertNone();
    }),
    fuzzOptions(200),
  );
  await assertStillServing(world);
});

test('the edge refuses a foreign Host, Origin or Content-Type with its 4xx, before anything else', async () => {
  const own = `127.0.0.1:${port}`;
  const targets = fc.constantFrom(
    { method: 'GET', path: '/healthz' },
    { method: 'GET', path: `/v1/rooms/${ROOM}` },
    { method: 'POST', path: `/v1/rooms/${ROOM}/notes`, body: '{"text":"edge"}' },
    { method: 'PATCH', path: `/v1/rooms/${ROOM}/tasks/T-0000`, body: '{"agent":"ada"}' },
    { method: 'PUT', path: `/v1/rooms/${ROOM}/vars/edge`, body: '{"value":"1","agent":"ada"}' },
    { method: 'DELETE', path: `/v1/rooms/${ROOM}/vars/nope` },
    { method: 'POST', path: '/mcp?agent=ada', body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' },
    { method: 'GET', path: '/v1/no-such-route' },
  );
  const host = fc.oneof(
    fc.constantFrom(
      { value: own, ok: true },
      { value: 'localhost', ok: true },
      { value: `a.localhost:${port}`, ok: true },
      { value: '[::1]:1', ok: true },
      { value: '10.0.0.1', ok: true },
      { value: 'evil.example', ok: false },
      { value: 'evil.example:80', ok: false },
      { value: 'localhost.evil.example', ok: false },
      { value: '127.0.0.1.nip.io', ok: false },
      { value: '', ok: false },
      { value: 'a b', ok: false },
      { value: '[::1', ok: false },
      { value: undefined, ok: false },
    ),
    nastyString.map((s) => ({ value: headerSafe(s), ok: undefined })),
  );
  const origin = fc.constantFrom(
    { value: undefined, ok: true },
    { value: 'SAME', ok: true },
    { value: 'null', ok: false },
    { value: 'http://evil.example', ok: false },
    { value: `http://127.0.0.1:${port + 1}`, ok: false },
    { value: 'file:///etc/passwd', ok: false },
    { value: 'chrome-extension://abc', ok: false },
    { value: 'not a url', ok: false },
  );
  const site = fc.constantFrom(
    undefined,
    'same-origin',
    'none',
    'cross-site',
    'same-site',
    'bogus',
  );
  const mode = fc.constantFrom(undefined, 'navigate', 'cors');
  const type = fc.constantFrom(
    { value: 'application/json', ok: true },
    { value: 'application/json; charset=utf-8', ok: true },
    { value: 'Application/JSON ; x=y', ok: true },
    { value: undefined, ok: false },
    { value: 'text/plain', ok: false },
    { value: 'application/jsonx', ok: false },
    { value: 'application/x-www-form-urlencoded', ok: false },
    { value: 'multipart/form-data; boundary=x', ok: false },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.record({ target: targets, host, origin, site, mode, type }),
      async ({ target, host: h, origin: o, site: s, mode: m, type: t }) => {
        const originValue = o.value === 'SAME' ? `http://${h.value ?? own}` : o.value;
        const res = await rawHttp(world.hub.url, {
          method: target.method,
          path: target.path,
          noHost: h.value === undefined,
          headers: {
            host: h.value,
            origin: originValue,
            'sec-fetch-site': s,
            'sec-fetch-mode': m,
            'content-type': t.value,
            authorization: `Bearer ${world.admin}`,
            accept: 'application/json, text/event-stream',
          },
          body: target.body,
        });
        const what = `${target.method} ${target.path} host=${h.value} origin=${originValue} site=${s} type=${t.value}`;
        // A Host that is not even a host name stops at Node's parser, with a bare 400.
        if (h.ok !== true && parserRefusal(res)) return;
        assertRestAnswer(res, what);
        const code =
          res.status >= 400
            ? (JSON.parse(res.text) as { error?: { code?: string } }).error?.code
            : undefined;
        const navigation = target.method === 'GET' && m === 'navigate';
        const siteBad = (s === 'cross-site' || s === 'same-site') && !navigation;
        const bodyMethod = ['POST', 'PUT', 'PATCH'].includes(target.method);
        if (h.ok === false) assert.equal(code, 'host_not_allowed', what);
        else if (h.ok === true && (o.ok === false || siteBad))
          assert.equal(code, 'origin_not_allowed', what);
        else if (h.ok === true && bodyMethod && !t.ok)
          assert.equal(code, 'unsupported_media_type', what);
        else if (h.ok === true) {
          assert.ok(
            !['host_not_allowed', 'origin_not_allowed', 'unsupported_media_type'].includes(
              code ?? '',
            ),
            `${what} was refused by the edge: ${res.text}`,
          );
        }
        assertNoHubErrors(world);
      },
    ),
    fuzzOptions(200),
  );
  await assertStillServing(world);
});

test('a body over the limit is refused with 413, declared or chunked', async () => {
  const limit = world.hub.config.body_limit_bytes;
  const target = fc.constantFrom(
    `/v1/rooms/${ROOM}/notes`,
    `/v1/rooms/${ROOM}/agents/ada/messages`,
    '/v1/rooms',
    '/v1/join',
    '/mcp?agent=ada',
    '/v1/no-such-route',
  );
  await fc.assert(
    fc.asyncProperty(
      target,
      fc.constantFrom(limit - 1, limit, limit + 1, limit * 2),
      fc.boolean(),
      async (path, size, chunked) => {
        const body = Buffer.alloc(size, 'x');
        body.write('{"text":"');
        body.write('"}', size - 2);
        const res = await rawHttp(world.hub.url, {
          method: 'POST',
          path,
          chunked,
          headers: {
            authorization: `Bearer ${world.admin}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
          body,
        });
        assertRestAnswer(res, `POST ${path} with ${size} bytes${chunked ? ', chunked' : ''}`);
        const code =
          res.status >= 400 ? (JSON.parse(res.text) as { error: { code: string } }).error.code : '';
        if (size > limit) assert.deepEqual([res.status, code], [413, 'request_too_large']);
        else assert.notEqual(code, 'request_too_large', `${size} bytes is within the limit`);
        assertNoHubErrors(world);
      },
    ),
    fuzzOptions(24),
  );
  await assertStillServing(world);
  crashes.assertNone();
});

/** Sends the head and `sent` bytes of a body that declares `declared`, then hangs up. */
function hangUp(path: string, declared: number, sent: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${world.admin}\r\n` +
          `Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
          `Content-Length: ${declared}\r\n\r\n`,
      );
      socket.write(sent, () => socket.destroy());
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

test('a client that hangs up in the middle of its body leaves no error behind', async () => {
  const target = fc.constantFrom(
    `/v1/rooms/${ROOM}/notes`,
    `/v1/rooms/${ROOM}/checkpoint`,
    `/v1/rooms/${ROOM}/agents/ada/messages`,
    `/v1/rooms/${ROOM}/agents/ada/inbox/inject`,
    '/v1/rooms',
    '/mcp?agent=ada',
  );
  await fc.assert(
    fc.asyncProperty(
      target,
      fc.string({ maxLength: 200 }),
      fc.integer({ min: 1, max: 100_000 }),
      async (path, text, missing) => {
        const sent = Buffer.from(text);
        await hangUp(path, sent.length + missing, sent);
        // A request on a new connection: the hub has seen the other one go by then.
        const health = await rawHttp(world.hub.url, { method: 'GET', path: '/healthz' });
        assert.equal(health.status, 200);
        assertNoHubErrors(world);
        crashes.assertNone();
      },
    ),
    fuzzOptions(60),
  );
  await assertStillServing(world);
});

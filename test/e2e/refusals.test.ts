// Every REST refusal over real HTTP: status, stable code, body shape, and nothing stored.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createManualClock } from '../../src/core/clock.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

interface CallOptions {
  token?: string;
  /** JSON-encoded unless `raw` is given. */
  body?: unknown;
  /** Sent as is, with content-type application/json. */
  raw?: string;
  headers?: Record<string, string>;
}

async function call(
  base: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let payload: string | undefined;
  if (options.raw !== undefined) payload = options.raw;
  else if (options.body !== undefined) payload = JSON.stringify(options.body);
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(base + path, { method, headers, body: payload });
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body };
}

/** Checks a refusal: status, code, and the exact `{error:{code,message,retryable,details}}` shape. */
function refused(reply: Reply, status: number, code: string) {
  assert.equal(
    reply.status,
    status,
    `expected ${status} ${code}, got ${reply.status} ${JSON.stringify(reply.body)}`,
  );
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(Object.keys(reply.body).sort(), ['error']);
  const e = reply.body.error;
  assert.deepEqual(Object.keys(e).sort(), ['code', 'details', 'message', 'retryable']);
  assert.equal(e.code, code);
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 10, 'the message says what happened');
  assert.equal(typeof e.retryable, 'boolean');
  assert.equal(typeof e.details, 'object');
  assert.ok(e.details !== null && !Array.isArray(e.details));
  return e as {
    code: string;
    message: string;
    retryable: boolean;
    details: Record<string, any>;
  };
}

/**
 * A request over node:http, to send bodies fetch cannot (chunked, oversized) and to control the
 * connection. A fresh connection unless an agent is given.
 */
function rawRequest(
  method: string,
  path: string,
  write: (req: http.ClientRequest) => void,
  agent: http.Agent | false = false,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url + path,
      {
        method,
        agent,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (typeof v === 'string') headers.set(k, v);
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // left as text
          }
          resolve({ status: res.statusCode ?? 0, headers, body });
        });
      },
    );
    // The hub may answer and stop reading before the whole body is sent: a write error after
    // the answer is fine, one without an answer is a failure.
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    write(req);
  });
}

let hub: TestHub;
let url: string;
let adminToken: string;
let adminId: string;
const ROOM = 'refusals';
let otherToken: string;
const OTHER = 'refusals-other';

async function createRoom(name: string) {
  const r = await call(url, 'POST', '/v1/rooms', { body: { name, label: 'admin' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { token: string; member: { id: string }; room: { name: string } };
}

async function makeCode(token: string, room: string, body: Record<string, unknown> = {}) {
  const r = await call(url, 'POST', `/v1/rooms/${room}/codes`, { token, body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.code as string;
}

async function join(code: string, label: string) {
  const r = await call(url, 'POST', '/v1/join', { body: { code, label } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { token: string; member: { id: string } };
}

/** The room's newest seq and its checkpoint version, as the admin sees them. */
async function state(room = ROOM, token = adminToken) {
  const r = await call(url, 'GET', `/v1/rooms/${room}?limit=1`, { token });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { cursor: r.body.cursor as number, version: r.body.checkpoint.version as number };
}

before(async () => {
  hub = await startTestHub();
  url = hub.url;
  const created = await createRoom(ROOM);
  adminToken = created.token;
  adminId = created.member.id;
  otherToken = (await createRoom(OTHER)).token;
});
after(() => hub.stop());

describe('tokens and rooms', () => {
  test('an unknown room is 404 room_not_found', async () => {
    const e = refused(
      await call(url, 'GET', '/v1/rooms/no-such-room', { token: adminToken }),
      404,
      'room_not_found',
    );
    assert.equal(e.details.room, 'no-such-room');
    refused(
      await call(url, 'POST', '/v1/rooms/no-such-room/notes', {
        token: adminToken,
        body: { text: 'x' },
      }),
      404,
      'room_not_found',
    );
  });

  test("another room's token is 403 wrong_room and stores nothing", async () => {
    const before = await state();
    const e = refused(
      await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, {
        token: otherToken,
        body: { text: 'intruder' },
      }),
      403,
      'wrong_room',
    );
    assert.equal(e.details.room, ROOM);
    refused(
      await call(url, 'GET', `/v1/rooms/${ROOM}/events`, { token: otherToken }),
      403,
      'wrong_room',
    );
    assert.deepEqual(await state(), before);
  });

  test('a missing token is 401 missing_token with WWW-Authenticate', async () => {
    const before = await state();
    const r = await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, { body: { text: 'anon' } });
    refused(r, 401, 'missing_token');
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
    refused(await call(url, 'GET', `/v1/rooms/${ROOM}`), 401, 'missing_token');
    assert.deepEqual(await state(), before);
  });

  test('a malformed token or header is 401 invalid_token', async () => {
    const before = await state();
    for (const header of [
      'Bearer not-a-token',
      'Bearer hd_short',
      `Bearer ${adminToken}x`,
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      'Bearer',
    ]) {
      refused(
        await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, {
          headers: { authorization: header },
          body: { text: 'x' },
        }),
        401,
        'invalid_token',
      );
    }
    assert.deepEqual(await state(), before);
  });

  test('a well-formed token the hub never issued is 401 unknown_token', async () => {
    const forged = 'hd_' + Buffer.alloc(32, 7).toString('base64url');
    refused(await call(url, 'GET', `/v1/rooms/${ROOM}`, { token: forged }), 401, 'unknown_token');
  });

  test('a revoked member’s token is 401 unknown_token and stores nothing', async () => {
    const member = await join(await makeCode(adminToken, ROOM), 'to-be-revoked');
    const ok = await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, {
      token: member.token,
      body: { text: 'before revocation' },
    });
    assert.equal(ok.status, 201);
    const revoked = await call(url, 'DELETE', `/v1/rooms/${ROOM}/members/${member.member.id}`, {
      token: adminToken,
    });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    const before = await state();
    refused(
      await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, {
        token: member.token,
        body: { text: 'after revocation' },
      }),
      401,
      'unknown_token',
    );
    refused(
      await call(url, 'GET', `/v1/rooms/${ROOM}`, { token: member.token }),
      401,
      'unknown_token',
    );
    assert.deepEqual(await state(), before);
    // Revoking again is a conflict, not a second event.
    refused(
      await call(url, 'DELETE', `/v1/rooms/${ROOM}/members/${member.member.id}`, {
        token: adminToken,
      }),
      409,
      'member_revoked',
    );
    assert.deepEqual(await state(), before);
  });

  test('a read-only member lacks write, checkpoint and admin: 403 insufficient_scope', async () => {
    const reader = await join(await makeCode(adminToken, ROOM, { scopes: ['read'] }), 'reader');
    const me = await call(url, 'GET', `/v1/rooms/${ROOM}/me`, { token: reader.token });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body.member.scopes, ['read']);
    const before = await state();
    const e = refused(
      await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, {
        token: reader.token,
        body: { text: 'not allowed' },
      }),
      403,
      'insufficient_scope',
    );
    assert.equal(e.details.needed, 'write');
    assert.deepEqual(e.details.granted, ['read']);
    assert.equal(
      refused(
        await call(url, 'PUT', `/v1/rooms/${ROOM}/checkpoint`, {
          token: reader.token,
          body: { text: 'not allowed' },
        }),
        403,
        'insufficient_scope',
      ).details.needed,
      'checkpoint',
    );
    assert.equal(
      refused(
        await call(url, 'POST', `/v1/rooms/${ROOM}/codes`, { token: reader.token, body: {} }),
        403,
        'insufficient_scope',
      ).details.needed,
      'admin',
    );
    refused(
      await call(url, 'DELETE', `/v1/rooms/${ROOM}`, { token: reader.token }),
      403,
      'insufficient_scope',
    );
    assert.deepEqual(await state(), before);
    // Reading is allowed.
    assert.equal(
      (await call(url, 'GET', `/v1/rooms/${ROOM}`, { token: reader.token })).status,
      200,
    );
  });

  test('the last admin cannot revoke itself: 409 last_admin', async () => {
    const before = await state();
    const e = refused(
      await call(url, 'DELETE', `/v1/rooms/${ROOM}/members/${adminId}`, { token: adminToken }),
      409,
      'last_admin',
    );
    assert.equal(e.details.member_id, adminId);
    assert.deepEqual(await state(), before);
    assert.equal(
      (await call(url, 'GET', `/v1/rooms/${ROOM}/me`, { token: adminToken })).status,
      200,
    );
  });

  test('revoking an unknown member is 404 member_not_found', async () => {
    refused(
      await call(url, 'DELETE', `/v1/rooms/${ROOM}/members/mem_nobody`, { token: adminToken }),
      404,
      'member_not_found',
    );
  });
});

describe('pair codes', () => {
  test('a reused code is 409 code_used and mints nothing', async () => {
    const code = await makeCode(adminToken, ROOM);
    await join(code, 'first');
    const members = async () =>
      (await call(url, 'GET', `/v1/rooms/${ROOM}/members`, { token: adminToken })).body.members
        .length as number;
    const count = await members();
    const before = await state();
    const r = await call(url, 'POST', '/v1/join', { body: { code, label: 'second' } });
    refused(r, 409, 'code_used');
    assert.equal(r.body.token, undefined);
    // Lower case and without the dash is the same code, and just as used.
    refused(
      await call(url, 'POST', '/v1/join', {
        body: { code: code.toLowerCase().replace('-', ''), label: 'third' },
      }),
      409,
      'code_used',
    );
    assert.equal(await members(), count);
    assert.deepEqual(await state(), before);
  });

  test('a malformed code is 400 invalid_code', async () => {
    for (const code of ['nope', 'ABCD-EFG', 'ABCD-EFGHJ', 'ABCD-EFG!', '']) {
      const e = refused(
        await call(url, 'POST', '/v1/join', { body: { code, label: 'x' } }),
        400,
        'invalid_code',
      );
      assert.equal(e.details.format, 'XXXX-XXXX');
    }
  });

  test('a well-formed code the hub never issued is 404 code_not_found', async () => {
    refused(
      await call(url, 'POST', '/v1/join', { body: { code: 'ZZZZ-ZZZZ', label: 'x' } }),
      404,
      'code_not_found',
    );
  });

  test('a code past its time is 410 code_expired (hub on a manual clock)', async () => {
    const clock = createManualClock(Date.now());
    const timed = await startTestHub({}, clock);
    try {
      const created = await call(timed.url, 'POST', '/v1/rooms', {
        body: { name: 'expiry', label: 'admin' },
      });
      const token = created.body.token as string;
      const made = await call(timed.url, 'POST', '/v1/rooms/expiry/codes', {
        token,
        body: { ttl_seconds: 60 },
      });
      assert.equal(made.status, 201);
      assert.equal(Date.parse(made.body.expires_at), clock.now() + 60_000);
      clock.advance(60_001);
      const e = refused(
        await call(timed.url, 'POST', '/v1/join', {
          body: { code: made.body.code, label: 'late' },
        }),
        410,
        'code_expired',
      );
      assert.equal(e.details.expired_at, made.body.expires_at);
      const members = await call(timed.url, 'GET', '/v1/rooms/expiry/members', { token });
      assert.equal(members.body.members.length, 1);
      // A fresh code with the default TTL still works at the new time.
      const fresh = await call(timed.url, 'POST', '/v1/rooms/expiry/codes', { token, body: {} });
      const joined = await call(timed.url, 'POST', '/v1/join', {
        body: { code: fresh.body.code, label: 'on time' },
      });
      assert.equal(joined.status, 201);
    } finally {
      await timed.stop();
    }
  });

  test('a code TTL out of range is 400 invalid_ttl', async () => {
    refused(
      await call(url, 'POST', `/v1/rooms/${ROOM}/codes`, {
        token: adminToken,
        body: { ttl_seconds: 5 },
      }),
      400,
      'invalid_ttl',
    );
  });

  test('an unknown scope is 400 invalid_scope', async () => {
    refused(
      await call(url, 'POST', `/v1/rooms/${ROOM}/codes`, {
        token: adminToken,
        body: { scopes: ['read', 'root'] },
      }),
      400,
      'invalid_scope',
    );
  });
});

describe('sizes', () => {
  test('a note over 64 KiB is 413 note_too_large naming the limit; nothing is stored', async () => {
    const before = await state();
    const e = refused(
      await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, {
        token: adminToken,
        body: { text: 'a'.repeat(65537) },
      }),
      413,
      'note_too_large',
    );
    assert.equal(e.details.limit_bytes, 65536);
    assert.equal(e.details.size_bytes, 65537);
    assert.match(e.message, /65536/);
    // Counted in UTF-8 bytes, not characters: 32769 two-byte characters are 65538 bytes.
    const multi = refused(
      await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, {
        token: adminToken,
        body: { text: 'é'.repeat(32769) },
      }),
      413,
      'note_too_large',
    );
    assert.equal(multi.details.size_bytes, 65538);
    assert.deepEqual(await state(), before);
  });

  test('a note of exactly 65536 bytes is accepted whole, never truncated', async () => {
    const before = await state();
    const text = 'é'.repeat(32767) + 'ab';
    assert.equal(Buffer.byteLength(text), 65536);
    const r = await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, {
      token: adminToken,
      body: { text },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 300));
    assert.equal(r.body.event.seq, before.cursor + 1);
    const page = await call(url, 'GET', `/v1/rooms/${ROOM}/events?after=${before.cursor}`, {
      token: adminToken,
    });
    assert.equal(page.body.events.length, 1);
    assert.equal(page.body.events[0].body.text, text);
  });

  test('a checkpoint over 64 KiB is 413 checkpoint_too_large; the checkpoint is unchanged', async () => {
    const before = await state();
    const e = refused(
      await call(url, 'PUT', `/v1/rooms/${ROOM}/checkpoint`, {
        token: adminToken,
        body: { text: 'c'.repeat(65537) },
      }),
      413,
      'checkpoint_too_large',
    );
    assert.equal(e.details.limit_bytes, 65536);
    assert.deepEqual(await state(), before);
    const ok = await call(url, 'PUT', `/v1/rooms/${ROOM}/checkpoint`, {
      token: adminToken,
      body: { text: 'c'.repeat(65536) },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.checkpoint.text.length, 65536);
  });

  test('a request body over 1 MiB is 413 request_too_large', async () => {
    const before = await state();
    const reply = await rawRequest('POST', `/v1/rooms/${ROOM}/notes`, (req) =>
      req.end(JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 10) })),
    );
    const e = refused(reply, 413, 'request_too_large');
    assert.equal(e.details.limit_bytes, 1024 * 1024);
    assert.deepEqual(await state(), before);
  });

  test('a chunked request body over 1 MiB (no Content-Length) is 413 request_too_large', async () => {
    const before = await state();
    const reply = await rawRequest('POST', `/v1/rooms/${ROOM}/notes`, (req) => {
      req.write('{"text":"');
      for (let i = 0; i < 20; i++) req.write('x'.repeat(64 * 1024));
      req.end('"}');
    });
    refused(reply, 413, 'request_too_large');
    assert.deepEqual(await state(), before);
  });

  test('after a 413 for an oversized body, a kept-alive connection serves the next request (or was marked Connection: close)', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = await rawRequest(
        'POST',
        `/v1/rooms/${ROOM}/notes`,
        (req) => req.end(JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 10) })),
        agent,
      );
      refused(big, 413, 'request_too_large');
      if (/close/i.test(big.headers.get('connection') ?? '')) return;
      // The hub said keep-alive, so a client may send its next request on the same socket.
      const next = await rawRequest('GET', `/v1/rooms/${ROOM}?limit=1`, (req) => req.end(), agent);
      assert.equal(next.status, 200);
    } finally {
      agent.destroy();
    }
  });
});

describe('malformed input', () => {
  test('an invalid room name is 400 invalid_room_name showing the pattern', async () => {
    for (const name of ['Bad Name', 'UPPER', '-leading', 'a'.repeat(65), 'semi;colon', '']) {
      const e = refused(
        await call(url, 'POST', '/v1/rooms', { body: { name, label: 'x' } }),
        400,
        'invalid_room_name',
      );
      assert.equal(e.details.pattern, '^[a-z0-9][a-z0-9._-]{0,63}$');
      assert.ok(e.message.includes(e.details.pattern), 'the message shows the pattern');
    }
    // 64 characters is the longest valid name.
    const longest = await call(url, 'POST', '/v1/rooms', {
      body: { name: 'a'.repeat(64), label: 'x' },
    });
    assert.equal(longest.status, 201);
  });

  test('an invalid room name in the path is 400 invalid_room_name', async () => {
    refused(
      await call(url, 'GET', '/v1/rooms/NOT_VALID', { token: adminToken }),
      400,
      'invalid_room_name',
    );
  });

  test('malformed JSON is 400 invalid_json and stores nothing', async () => {
    const before = await state();
    for (const raw of ['{"text": "unterminated', '{text: 1}', 'not json']) {
      refused(
        await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, { token: adminToken, raw }),
        400,
        'invalid_json',
      );
    }
    refused(await call(url, 'POST', '/v1/rooms', { raw: '{' }), 400, 'invalid_json');
    refused(await call(url, 'POST', '/v1/join', { raw: '[' }), 400, 'invalid_json');
    assert.deepEqual(await state(), before);
  });

  test('unknown fields and wrong types are 400 invalid_request naming the field', async () => {
    const before = await state();
    const e = refused(
      await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, {
        token: adminToken,
        body: { text: 'hi', colour: 'red' },
      }),
      400,
      'invalid_request',
    );
    assert.ok(
      e.details.issues.some((i: { field: string }) => i.field === 'colour'),
      JSON.stringify(e.details),
    );
    assert.match(e.message, /colour/);
    const typed = refused(
      await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, { token: adminToken, body: { text: 5 } }),
      400,
      'invalid_request',
    );
    assert.equal(typed.details.issues[0].field, 'text');
    refused(
      await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, { token: adminToken, body: {} }),
      400,
      'invalid_request',
    );
    refused(
      await call(url, 'PUT', `/v1/rooms/${ROOM}/checkpoint`, {
        token: adminToken,
        body: { text: 'x', expected_version: -1 },
      }),
      400,
      'invalid_request',
    );
    const created = refused(
      await call(url, 'POST', '/v1/rooms', { body: { name: 'x1', owner: 'me' } }),
      400,
      'invalid_request',
    );
    assert.match(created.message, /owner/);
    assert.deepEqual(await state(), before);
  });

  test('an empty note is 400 empty_note; a body on a bodiless route is 400 invalid_request', async () => {
    const before = await state();
    refused(
      await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, {
        token: adminToken,
        body: { text: ' \n\t' },
      }),
      400,
      'empty_note',
    );
    refused(
      await call(url, 'POST', `/v1/rooms/${ROOM}/rotate`, {
        token: adminToken,
        body: { token: 'mine' },
      }),
      400,
      'invalid_request',
    );
    assert.deepEqual(await state(), before);
    assert.equal(
      (await call(url, 'GET', `/v1/rooms/${ROOM}/me`, { token: adminToken })).status,
      200,
    );
  });

  test('a malformed Idempotency-Key is 400 invalid_idempotency_key', async () => {
    const before = await state();
    for (const key of ['has space', 'k'.repeat(201)]) {
      refused(
        await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, {
          token: adminToken,
          body: { text: 'keyed' },
          headers: { 'idempotency-key': key },
        }),
        400,
        'invalid_idempotency_key',
      );
    }
    assert.deepEqual(await state(), before);
  });

  test('bad query parameters are 400 naming them', async () => {
    refused(
      await call(url, 'GET', `/v1/rooms/${ROOM}/events?after=-1`, { token: adminToken }),
      400,
      'invalid_cursor',
    );
    refused(
      await call(url, 'GET', `/v1/rooms/${ROOM}/events?limit=101`, { token: adminToken }),
      400,
      'invalid_limit',
    );
    refused(
      await call(url, 'GET', `/v1/rooms/${ROOM}?limit=0`, { token: adminToken }),
      400,
      'invalid_limit',
    );
    refused(
      await call(url, 'GET', `/v1/rooms/${ROOM}/export?format=pdf`, { token: adminToken }),
      400,
      'invalid_format',
    );
  });

  test('an unknown route is 404 route_not_found', async () => {
    refused(await call(url, 'GET', '/v1/nothing-here'), 404, 'route_not_found');
    // A path without an extension outside the API is a page of the cockpit; a file is not.
    refused(await call(url, 'GET', '/nothing-here.json'), 404, 'route_not_found');
    refused(await call(url, 'POST', '/nothing-here', { body: {} }), 404, 'route_not_found');
    refused(
      await call(url, 'PATCH', `/v1/rooms/${ROOM}`, { token: adminToken, body: {} }),
      404,
      'route_not_found',
    );
  });
});

describe('versions and idempotency', () => {
  test('a stale expected_version is 409 checkpoint_conflict naming the current version and writer', async () => {
    const cur = (await call(url, 'GET', `/v1/rooms/${ROOM}/checkpoint`, { token: adminToken })).body
      .checkpoint.version as number;
    const first = await call(url, 'PUT', `/v1/rooms/${ROOM}/checkpoint`, {
      token: adminToken,
      body: { text: 'plan A', expected_version: cur },
    });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.checkpoint.version, cur + 1);
    const before = await state();
    const e = refused(
      await call(url, 'PUT', `/v1/rooms/${ROOM}/checkpoint`, {
        token: adminToken,
        body: { text: 'plan B', expected_version: cur },
      }),
      409,
      'checkpoint_conflict',
    );
    assert.equal(e.details.current_version, cur + 1);
    assert.equal(e.details.expected_version, cur);
    assert.equal(e.details.updated_by.member_id, adminId);
    assert.equal(e.details.updated_by.label, 'admin');
    assert.deepEqual(await state(), before);
    const cp = await call(url, 'GET', `/v1/rooms/${ROOM}/checkpoint`, { token: adminToken });
    assert.equal(cp.body.checkpoint.text, 'plan A');
  });

  test('the same Idempotency-Key twice returns the same event and appends one', async () => {
    const before = await state();
    const send = (text: string) =>
      call(url, 'POST', `/v1/rooms/${ROOM}/notes`, {
        token: adminToken,
        body: { text },
        headers: { 'idempotency-key': 'retry-me-1' },
      });
    const first = await send('exactly once');
    assert.equal(first.status, 201);
    const second = await send('exactly once');
    assert.equal(second.status, 201);
    assert.deepEqual(second.body.event, first.body.event);
    const after = await state();
    assert.equal(after.cursor, before.cursor + 1);
    const page = await call(url, 'GET', `/v1/rooms/${ROOM}/events?after=${before.cursor}`, {
      token: adminToken,
    });
    assert.deepEqual(
      page.body.events.map((e: { id: string }) => e.id),
      [first.body.event.id],
    );
    const reused = refused(await send('a different note'), 409, 'idempotency_key_reused');
    assert.equal(reused.details.idempotency_key, 'retry-me-1');
    assert.deepEqual(await state(), after);
  });

  test('an idempotent checkpoint retry does not bump the version', async () => {
    const before = await state();
    const send = () =>
      call(url, 'PUT', `/v1/rooms/${ROOM}/checkpoint`, {
        token: adminToken,
        body: { text: 'idempotent plan', expected_version: before.version },
        headers: { 'idempotency-key': 'cp-retry-1' },
      });
    const first = await send();
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const second = await send();
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.deepEqual(second.body, first.body);
    assert.deepEqual(await state(), { cursor: before.cursor + 1, version: before.version + 1 });
  });

  test('an Idempotency-Key on POST /v1/rooms is 400 idempotency_not_supported', async () => {
    refused(
      await call(url, 'POST', '/v1/rooms', {
        body: { name: 'with-key', label: 'x' },
        headers: { 'idempotency-key': 'k1' },
      }),
      400,
      'idempotency_not_supported',
    );
    // Nothing was created: the name is still free.
    assert.equal(
      (await call(url, 'POST', '/v1/rooms', { body: { name: 'with-key', label: 'x' } })).status,
      201,
    );
  });

  test('a taken room name is 409 room_exists', async () => {
    refused(
      await call(url, 'POST', '/v1/rooms', { body: { name: ROOM, label: 'x' } }),
      409,
      'room_exists',
    );
  });
});

describe('rate limits', () => {
  let limited: TestHub;
  before(async () => {
    limited = await startTestHub({
      HUDDLE_RATE_LIMITS: JSON.stringify({
        writes: { burst: 3, refill: 1, period_seconds: 3600 },
        join: { burst: 2, refill: 1, period_seconds: 3600 },
      }),
    });
  });
  after(() => limited.stop());

  test('writes over the limit are 429 rate_limited with Retry-After; nothing stored', async () => {
    const created = await call(limited.url, 'POST', '/v1/rooms', {
      body: { name: 'limited', label: 'admin' },
    });
    const token = created.body.token as string;
    for (let i = 0; i < 3; i++) {
      const r = await call(limited.url, 'POST', '/v1/rooms/limited/notes', {
        token,
        body: { text: `note ${i}` },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    const r = await call(limited.url, 'POST', '/v1/rooms/limited/notes', {
      token,
      body: { text: 'one too many' },
    });
    const e = refused(r, 429, 'rate_limited');
    assert.equal(e.retryable, true);
    assert.equal(e.details.limit, 'writes');
    const retryAfter = Number(r.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${retryAfter}`);
    assert.ok(retryAfter <= 3600);
    const read = await call(limited.url, 'GET', '/v1/rooms/limited', { token });
    assert.equal(read.status, 200, 'reads are not writes');
    assert.equal(read.body.cursor, 4);
    assert.deepEqual(
      read.body.events.map((ev: { type: string }) => ev.type),
      ['room.created', 'note', 'note', 'note'],
    );
  });

  test('joins over the per-address limit are 429, even with bad codes', async () => {
    for (let i = 0; i < 2; i++) {
      refused(
        await call(limited.url, 'POST', '/v1/join', { body: { code: 'ZZZZ-ZZZZ', label: 'x' } }),
        404,
        'code_not_found',
      );
    }
    const r = await call(limited.url, 'POST', '/v1/join', {
      body: { code: 'ZZZZ-ZZZZ', label: 'x' },
    });
    refused(r, 429, 'rate_limited');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
  });

  test('the limited hub keeps serving', async () => {
    assert.equal((await call(limited.url, 'GET', '/healthz')).status, 200);
  });
});

describe('after every refusal', () => {
  test('the hub still answers /healthz and /readyz, and still writes', async () => {
    const health = await call(url, 'GET', '/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { ok: true });
    const ready = await call(url, 'GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { ok: true });
    const before = await state();
    const r = await call(url, 'POST', `/v1/rooms/${ROOM}/notes`, {
      token: adminToken,
      body: { text: 'still here' },
    });
    assert.equal(r.status, 201);
    assert.equal(r.body.event.seq, before.cursor + 1);
  });
});

// Browser sessions over a real hub: sign in by pair code, token and `huddle open` ticket; the
// cookie needs the page's CSRF value; the person is a member of kind person with a human agent;
// signing out revokes what the browser held; the stream takes the session too.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createManualClock } from '../../src/core/clock.js';
import { LOCAL_SECRET_FILE } from '../../src/server/local-secret.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

interface Reply {
  status: number;
  body: any;
  cookie: string | null;
}

let hub: TestHub;

async function call(
  method: string,
  path: string,
  options: { body?: unknown; token?: string; cookie?: string; csrf?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrf) headers['x-huddle-csrf'] = options.csrf;
  const res = await fetch(hub.url + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : undefined,
    cookie: res.headers.get('set-cookie'),
  };
}

/** A room with an admin token, and a pair code for the browser. */
async function roomWithCode(name: string, scopes?: string[]) {
  const created = await call('POST', '/v1/rooms', { body: { name, label: 'laptop' } });
  assert.equal(created.status, 201);
  const token = created.body.token as string;
  const code = await call('POST', `/v1/rooms/${name}/codes`, {
    token,
    body: scopes ? { scopes } : {},
  });
  return { token, code: code.body.code as string };
}

/** The `name=value` part of a Set-Cookie header, as a browser sends it back. */
const cookieOf = (setCookie: string | null) => setCookie!.split(';')[0]!;

before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub.stop();
});

describe('sign in with a pair code', () => {
  test('makes a person member with a human agent, in an HttpOnly SameSite=Strict cookie', async () => {
    const { token, code } = await roomWithCode('web-code');
    const signed = await call('POST', '/v1/web/session', { body: { code, name: 'alice' } });
    assert.equal(signed.status, 201);
    assert.match(
      signed.cookie!,
      /^huddle_session=hs_[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    assert.match(signed.body.csrf, /^hc_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(signed.body.person, { name: 'alice' });
    const [room] = signed.body.rooms;
    assert.equal(room.room.name, 'web-code');
    assert.equal(room.member.kind, 'person');
    assert.equal(room.agent, 'alice');

    const agents = await call('GET', '/v1/rooms/web-code/agents', { token });
    const alice = agents.body.agents.find((a: any) => a.name === 'alice');
    assert.equal(alice.client, 'human');
    assert.equal(alice.member_id, room.member.id);
  });

  test('the cookie works only with the CSRF value, and only in its own rooms', async () => {
    const { code } = await roomWithCode('web-csrf');
    await roomWithCode('web-other');
    const signed = await call('POST', '/v1/web/session', { body: { code, name: 'bob' } });
    const cookie = cookieOf(signed.cookie);
    const csrf = signed.body.csrf as string;

    const without = await call('GET', '/v1/rooms/web-csrf/agents', { cookie });
    assert.equal(without.status, 401);
    assert.equal(without.body.error.code, 'csrf_required');
    const wrong = await call('GET', '/v1/rooms/web-csrf/agents', {
      cookie,
      csrf: 'hc_' + 'x'.repeat(43),
    });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.error.code, 'csrf_mismatch');
    const ok = await call('GET', '/v1/rooms/web-csrf/agents', { cookie, csrf });
    assert.equal(ok.status, 200);
    const elsewhere = await call('GET', '/v1/rooms/web-other/agents', { cookie, csrf });
    assert.equal(elsewhere.status, 403);
    assert.equal(elsewhere.body.error.code, 'not_signed_in_room');
    const forged = await call('GET', '/v1/web/session', {
      cookie: 'huddle_session=hs_' + 'y'.repeat(43),
      csrf,
    });
    assert.equal(forged.status, 401);
    assert.equal(forged.body.error.code, 'not_signed_in');
  });

  test('the person sends as its agent and agents address it; a second code adds a room', async () => {
    const { token, code } = await roomWithCode('web-talk');
    const signed = await call('POST', '/v1/web/session', { body: { code, name: 'carol' } });
    const cookie = cookieOf(signed.cookie);
    const csrf = signed.body.csrf as string;
    await call('POST', '/v1/rooms/web-talk/agents', {
      token,
      body: { name: 'bot', client: 'codex' },
    });

    const asked = await call('POST', '/v1/rooms/web-talk/agents/bot/messages', {
      token,
      body: { to: 'carol', kind: 'question', body: 'May I delete the cache?' },
    });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    const inbox = await call('GET', '/v1/rooms/web-talk/agents/carol/inbox', { cookie, csrf });
    assert.equal(inbox.body.messages[0].message.body, 'May I delete the cache?');

    const answer = await call('POST', '/v1/rooms/web-talk/agents/carol/messages', {
      cookie,
      csrf,
      body: { to: 'bot', body: 'Yes.', reply_to: asked.body.message.id },
    });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    assert.equal(answer.body.message.from, 'carol');

    const second = await roomWithCode('web-talk-2');
    const added = await call('POST', '/v1/web/session', {
      body: { code: second.code },
      cookie,
      csrf,
    });
    assert.equal(added.status, 201);
    assert.equal(added.cookie, null, 'the same session goes on');
    assert.equal(added.body.csrf, csrf);
    assert.deepEqual(
      added.body.rooms.map((r: any) => r.room.name),
      ['web-talk', 'web-talk-2'],
    );
    assert.equal(added.body.rooms[1].agent, 'carol');
  });

  test('a name taken by another member gets a suffix; a read-only code gets no agent', async () => {
    const { token, code } = await roomWithCode('web-names');
    await call('POST', '/v1/rooms/web-names/agents', { token, body: { name: 'dave' } });
    const signed = await call('POST', '/v1/web/session', { body: { code, name: 'dave' } });
    assert.equal(signed.body.rooms[0].agent, 'dave-2');

    const readOnly = await roomWithCode('web-readonly', ['read']);
    const watcher = await call('POST', '/v1/web/session', {
      body: { code: readOnly.code, name: 'erin' },
    });
    assert.equal(watcher.status, 201);
    assert.equal(watcher.body.rooms[0].agent, null);
  });
});

describe('refusals', () => {
  test('none or several ways in, a bad name, a used code, a bad ticket', async () => {
    const none = await call('POST', '/v1/web/session', { body: { name: 'x' } });
    assert.equal(none.status, 400);
    assert.equal(none.body.error.code, 'invalid_request');
    assert.match(none.body.error.message, /exactly one of "code", "token" or "ticket"/);
    const both = await call('POST', '/v1/web/session', {
      body: { code: 'AAAA-BBBB', token: 'hd_x' },
    });
    assert.equal(both.status, 400);
    const { code } = await roomWithCode('web-refuse');
    const badName = await call('POST', '/v1/web/session', { body: { code, name: 'Not A Name!' } });
    assert.equal(badName.status, 400);
    assert.equal(badName.body.error.details.field, 'name');
    // The code was not spent by the refused request.
    const ok = await call('POST', '/v1/web/session', { body: { code, name: 'frank' } });
    assert.equal(ok.status, 201);
    const again = await call('POST', '/v1/web/session', { body: { code, name: 'frank' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'code_used');
    const ticket = await call('POST', '/v1/web/session', { body: { ticket: 'ht_nope' } });
    assert.equal(ticket.status, 404);
    assert.equal(ticket.body.error.code, 'invalid_ticket');
    const unknown = await call('POST', '/v1/web/session', { body: { code, extra: 1 } });
    assert.equal(unknown.status, 400);
  });
});

describe('sign in with a token', () => {
  test('adds a token of the browser own; signing out deletes it and leaves the device working', async () => {
    const { token } = await roomWithCode('web-token');
    const signed = await call('POST', '/v1/web/session', { body: { token, name: 'gina' } });
    assert.equal(signed.status, 201, JSON.stringify(signed.body));
    assert.equal(signed.body.rooms[0].member.kind, 'device');
    const cookie = cookieOf(signed.cookie);
    const csrf = signed.body.csrf as string;
    const out = await call('DELETE', '/v1/web/session', { cookie, csrf });
    assert.equal(out.status, 200);
    assert.match(out.cookie!, /^huddle_session=; Max-Age=0;/);
    const still = await call('GET', '/v1/rooms/web-token/agents', { token });
    assert.equal(still.status, 200);
    const events = await call('GET', '/v1/rooms/web-token/events?limit=100', { token });
    const types = events.body.events.map((e: any) => e.type);
    assert.ok(types.includes('member.token_added'));
    assert.ok(types.includes('member.token_removed'));
  });
});

describe('sign out', () => {
  test('revokes the browser members, forgets the session, and closes its stream', async () => {
    const { token, code } = await roomWithCode('web-out');
    const signed = await call('POST', '/v1/web/session', { body: { code, name: 'hank' } });
    const cookie = cookieOf(signed.cookie);
    const csrf = signed.body.csrf as string;

    const ws = new WebSocket(hub.url.replace('http', 'ws') + '/v1/stream', {
      headers: { cookie },
    });
    const frames: any[] = [];
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.once('open', resolve));
    const next = (type: string) =>
      new Promise<any>((resolve) => {
        const look = () => {
          const found = frames.find((f) => f.type === type);
          if (found) resolve(found);
          else setTimeout(look, 5);
        };
        look();
      });
    ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
    ws.send(JSON.stringify({ type: 'auth', csrf, ref: 'a' }));
    const authed = await next('authenticated');
    assert.deepEqual(authed.person, { name: 'hank' });
    assert.deepEqual(authed.rooms, ['web-out']);
    ws.send(JSON.stringify({ type: 'subscribe', room: 'web-out', agent: 'hank', ref: 's' }));
    await next('subscribed');

    const out = await call('DELETE', '/v1/web/session', { cookie, csrf });
    assert.equal(out.status, 200);
    assert.equal(await closed, 4001);
    const after = await call('GET', '/v1/web/session', { cookie, csrf });
    assert.equal(after.status, 401);
    const members = await call('GET', '/v1/rooms/web-out/members', { token });
    const browser = members.body.members.find((m: any) => m.kind === 'person');
    assert.ok(browser.revoked_at, 'the browser member is revoked');
    const events = await call('GET', '/v1/rooms/web-out/events?limit=100', { token });
    const revoked = events.body.events.find((e: any) => e.type === 'member.revoked');
    assert.equal(revoked.actor.member_id, browser.id, 'the event names who signed out');
    assert.equal(revoked.body.via, 'sign_out');
  });

  test('a browser without the CSRF value cannot use the stream', async () => {
    const { code } = await roomWithCode('web-ws-csrf');
    const signed = await call('POST', '/v1/web/session', { body: { code, name: 'ivy' } });
    const ws = new WebSocket(hub.url.replace('http', 'ws') + '/v1/stream', {
      headers: { cookie: cookieOf(signed.cookie) },
    });
    await new Promise((resolve) => ws.once('open', resolve));
    const reply = new Promise<any>((resolve) =>
      ws.once('message', (d) => resolve(JSON.parse(d.toString()))),
    );
    ws.send(JSON.stringify({ type: 'auth', csrf: 'hc_' + 'z'.repeat(43) }));
    const frame = await reply;
    assert.equal(frame.type, 'error');
    assert.equal(frame.code, 'csrf_mismatch');
    ws.close();
  });
});

describe('huddle open tickets', () => {
  test('one use, every room of the hub as a person with admin, new rooms followed', async () => {
    await roomWithCode('web-open-a');
    const secret = readFileSync(join(hub.home, LOCAL_SECRET_FILE), 'utf8').trim();
    const minted = await call('POST', '/v1/local/web-ticket', { body: { secret } });
    assert.equal(minted.status, 201);
    assert.match(minted.body.ticket, /^ht_/);
    const signed = await call('POST', '/v1/web/session', { body: { ticket: minted.body.ticket } });
    assert.equal(signed.status, 201);
    const names = signed.body.rooms.map((r: any) => r.room.name);
    assert.ok(names.includes('web-open-a'));
    for (const r of signed.body.rooms) {
      assert.equal(r.member.kind, 'person');
      assert.deepEqual(r.member.scopes, ['admin']);
    }
    const reused = await call('POST', '/v1/web/session', { body: { ticket: minted.body.ticket } });
    assert.equal(reused.status, 404);

    await roomWithCode('web-open-b');
    const cookie = cookieOf(signed.cookie);
    const look = await call('GET', '/v1/web/session', { cookie, csrf: signed.body.csrf });
    assert.ok(look.body.rooms.some((r: any) => r.room.name === 'web-open-b'));

    const wrong = await call('POST', '/v1/local/web-ticket', { body: { secret: 'nope' } });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.error.code, 'invalid_local_secret');
  });
});

describe('a signed-in person answers permission requests', () => {
  test('a person with approve decides by cookie; one without is refused; the event names who', async () => {
    const { token } = await roomWithCode('web-approve');
    await call('POST', '/v1/rooms/web-approve/agents', {
      token,
      body: { name: 'coder', client: 'claude-code' },
    });
    const asked = await call('POST', '/v1/rooms/web-approve/agents/coder/approvals', {
      token,
      body: { tool: 'Bash', input_preview: 'rm -rf build', reason: 'clean the build' },
    });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    const id = asked.body.approval.id as string;

    // A person from a default pair code may write but not approve.
    const plain = await call('POST', '/v1/rooms/web-approve/codes', { token, body: {} });
    const watcher = await call('POST', '/v1/web/session', {
      body: { code: plain.body.code, name: 'jack' },
    });
    const refused = await call('POST', `/v1/rooms/web-approve/approvals/${id}/decision`, {
      cookie: cookieOf(watcher.cookie),
      csrf: watcher.body.csrf,
      body: { decision: 'allow' },
    });
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'insufficient_scope');

    const approver = await call('POST', '/v1/rooms/web-approve/codes', {
      token,
      body: { scopes: ['read', 'write', 'approve'] },
    });
    const kate = await call('POST', '/v1/web/session', {
      body: { code: approver.body.code, name: 'kate' },
    });
    const decided = await call('POST', `/v1/rooms/web-approve/approvals/${id}/decision`, {
      cookie: cookieOf(kate.cookie),
      csrf: kate.body.csrf,
      body: { decision: 'allow', reason: 'fine' },
    });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    assert.equal(decided.body.approval.status, 'allowed');
    assert.equal(decided.body.approval.decided_by.agent, 'kate');
    assert.equal(decided.body.approval.decided_by.member_id, kate.body.rooms[0].member.id);

    // The device's own admin token is not a person: it may not decide.
    const again = await call('POST', '/v1/rooms/web-approve/agents/coder/approvals', {
      token,
      body: { tool: 'Edit' },
    });
    const device = await call(
      'POST',
      `/v1/rooms/web-approve/approvals/${again.body.approval.id}/decision`,
      { token, body: { decision: 'allow' } },
    );
    assert.equal(device.status, 403);
    assert.equal(device.body.error.code, 'person_required');
  });
});

describe('a browser that stays away', () => {
  test('is signed out after 30 days unused; each visit starts the 30 days again', async () => {
    const clock = createManualClock(Date.UTC(2026, 11, 1));
    const away = await startTestHub({}, clock);
    try {
      const req = (
        method: string,
        path: string,
        o: { body?: unknown; token?: string; cookie?: string; csrf?: string } = {},
      ) =>
        fetch(away.url + path, {
          method,
          headers: {
            ...(o.body !== undefined && { 'content-type': 'application/json' }),
            ...(o.token && { authorization: `Bearer ${o.token}` }),
            ...(o.cookie && { cookie: o.cookie }),
            ...(o.csrf && { 'x-huddle-csrf': o.csrf }),
          },
          body: o.body === undefined ? undefined : JSON.stringify(o.body),
        });
      const created = (await (
        await req('POST', '/v1/rooms', { body: { name: 'away', label: 'l' } })
      ).json()) as any;
      const code = (
        (await (
          await req('POST', '/v1/rooms/away/codes', { token: created.token, body: {} })
        ).json()) as any
      ).code;
      const signed = await req('POST', '/v1/web/session', { body: { code, name: 'lena' } });
      const cookie = cookieOf(signed.headers.get('set-cookie'));
      const csrf = ((await signed.json()) as any).csrf as string;
      const DAY = 24 * 3600 * 1000;

      clock.advance(29 * DAY);
      assert.equal(
        (await req('GET', '/v1/web/session', { cookie, csrf })).status,
        200,
        'a visit on day 29',
      );
      clock.advance(29 * DAY);
      assert.equal(
        (await req('GET', '/v1/rooms/away/agents', { cookie, csrf })).status,
        200,
        '29 days after the last visit',
      );
      clock.advance(2 * DAY);
      const late = await req('GET', '/v1/rooms/away/agents', { cookie, csrf });
      assert.equal(late.status, 401);
      assert.equal(((await late.json()) as any).error.code, 'not_signed_in');
      // Forgotten for good: coming back a moment later changes nothing.
      assert.equal((await req('GET', '/v1/web/session', { cookie, csrf })).status, 401);
    } finally {
      await away.stop();
    }
  });
});

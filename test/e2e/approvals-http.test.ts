// Approval requests over HTTP against a real hub: an agent asks, a person's member decides, and
// every refusal: a device (even an admin) or a person without the approve scope may not decide, a
// second decision is refused naming the first, a late one is refused as expired.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHubClient, type HubClient } from '../../src/client/hub-client.js';
import { createManualClock } from '../../src/core/clock.js';
import type { Approval, RoomEvent } from '../../src/core/types.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { refusedBy } from '../helpers/hub-refusal.js';
import { addPerson, type Person } from '../helpers/person-member.js';

const ROOM = 'approvals';
const AGENT = 'claude-api';

let hub: TestHub;
const clock = createManualClock(Date.now());
/** The machine whose agent asks: a device member with admin. */
let device: HubClient;
/** A person with the approve scope, whose agent is "alice". */
let alice: Person;
/** A person without it. */
let carol: Person;

const ask = (extra: Partial<Parameters<HubClient['requestApproval']>[2]> = {}) =>
  device.requestApproval(ROOM, AGENT, {
    tool: 'Bash',
    input_preview: 'rm -rf build && npm run build',
    reason: 'Clean and rebuild',
    ...extra,
  });

/** The room's events of `type` after `seq`. */
async function eventsOf(type: string, seq: number): Promise<RoomEvent[]> {
  const { events } = await device.history(ROOM, seq, 100);
  return events.filter((e) => e.type === type);
}
const head = async () => (await device.read(ROOM, 1)).cursor;

before(async () => {
  hub = await startTestHub({ HUDDLE_APPROVAL_TIMEOUT_SECONDS: '300' }, clock);
  const created = await createHubClient({ url: hub.url }).createRoom({
    name: ROOM,
    label: 'machine-a',
  });
  device = createHubClient({ url: hub.url, token: created.token });
  await device.registerAgent(ROOM, { name: AGENT, client: 'claude-code' });
  alice = await addPerson(hub, ROOM, {
    label: 'alice-phone',
    scopes: ['read', 'write', 'approve'],
    agent: 'alice',
  });
  carol = await addPerson(hub, ROOM, { label: 'carol-laptop', scopes: ['read', 'write'] });
});
after(() => hub.stop());

describe('a request and its answer', () => {
  test('an agent asks; the person allows; the request and the answer are events naming who', async () => {
    const seq = await head();
    const { approval } = await ask();
    assert.match(approval.id, /^apr_/);
    assert.deepEqual(
      { ...approval, id: '', requested_at: '', expires_at: '' },
      {
        id: '',
        room: ROOM,
        agent: AGENT,
        client: 'claude-code',
        tool: 'Bash',
        input_preview: 'rm -rf build && npm run build',
        reason: 'Clean and rebuild',
        status: 'pending',
        requested_at: '',
        expires_at: '',
        decided_at: null,
        decided_by: null,
        decision_reason: null,
        waiters: 1,
      },
    );
    assert.equal(Date.parse(approval.expires_at) - Date.parse(approval.requested_at), 300_000);
    const pending = await alice.api.approvals(ROOM);
    assert.ok(pending.approvals.some((a) => a.id === approval.id));

    const decided = (await alice.api.decideApproval(ROOM, approval.id, 'allow')).approval;
    assert.equal(decided.status, 'allowed');
    assert.deepEqual(decided.decided_by, {
      member_id: alice.member.id,
      label: 'alice-phone',
      agent: 'alice',
    });
    assert.deepEqual((await device.approval(ROOM, approval.id)).approval, decided);
    assert.ok(!(await alice.api.approvals(ROOM)).approvals.some((a) => a.id === approval.id));
    assert.equal(
      (await alice.api.approvals(ROOM, { status: 'all' })).approvals[0]!.id,
      approval.id,
    );

    const [requested] = await eventsOf('approval.requested', seq);
    assert.deepEqual(requested!.body, { approval });
    assert.equal(requested!.actor?.label, 'machine-a');
    const [answer] = await eventsOf('approval.decided', seq);
    assert.deepEqual(answer!.body, {
      approval: decided,
      decision: 'allow',
      decided_by: decided.decided_by,
    });
    assert.deepEqual(answer!.actor, { member_id: alice.member.id, label: 'alice-phone' });
  });

  test('a waiting GET is answered as soon as the person denies, with the reason', async () => {
    const { approval } = await ask();
    const started = Date.now();
    const waiting = device.approval(ROOM, approval.id, 30);
    await new Promise((r) => setTimeout(r, 200));
    await alice.api.decideApproval(ROOM, approval.id, 'deny', 'not on main');
    const { approval: seen } = await waiting;
    assert.equal(seen.status, 'denied');
    assert.equal(seen.decision_reason, 'not on main');
    assert.ok(Date.now() - started < 5000, 'answered long before the wait ran out');
  });

  test('the agent cancels its own request; another member may not', async () => {
    const { approval } = await ask();
    await refusedBy(carol.api.cancelApproval(ROOM, approval.id), 403, 'not_your_approval');
    const { approval: cancelled } = await device.cancelApproval(
      ROOM,
      approval.id,
      'answered in the terminal',
    );
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.decision_reason, 'answered in the terminal');
    const err = await refusedBy(
      alice.api.decideApproval(ROOM, approval.id, 'allow'),
      409,
      'approval_already_decided',
    );
    assert.equal(err.details.status, 'cancelled');
  });
});

describe('one request for one prompt asked twice (match_key)', () => {
  test('the second request with the key joins the first: 201, joined, no second event', async () => {
    const key = `{"command":"npm run deploy-${Date.now()}"}`;
    const seq = await head();
    const first = await ask({ match_key: key, input_preview: key });
    assert.equal(first.joined, undefined);
    const second = await ask({ match_key: key });
    assert.equal(second.joined, true);
    assert.deepEqual(second.approval, { ...first.approval, waiters: 2 });
    assert.equal((await eventsOf('approval.requested', seq)).length, 1);
    // Another tool, or another key, is another request.
    const write = await ask({ match_key: key, tool: 'Write' });
    assert.notEqual(write.approval.id, first.approval.id);
    const other = await ask({ match_key: `${key} ` });
    assert.notEqual(other.approval.id, first.approval.id);

    // Both wait on the same id; one decision answers both.
    const waiters = [
      device.approval(ROOM, first.approval.id, 30),
      device.approval(ROOM, first.approval.id, 30),
    ];
    await new Promise((r) => setTimeout(r, 100));
    await alice.api.decideApproval(ROOM, first.approval.id, 'allow');
    for (const w of await Promise.all(waiters)) assert.equal(w.approval.status, 'allowed');
    // Decided: the next request with the key is a new one.
    const next = await ask({ match_key: key });
    assert.equal(next.joined, undefined);
    assert.notEqual(next.approval.id, first.approval.id);
  });

  test('one waiter cancels and the request stays for the other, until it cancels too', async () => {
    const key = `{"command":"make release-${Date.now()}"}`;
    const { approval } = await ask({ match_key: key });
    await ask({ match_key: key });
    const seq = await head();
    const left = await device.cancelApproval(ROOM, approval.id, 'the hook stopped');
    assert.equal(left.approval.status, 'pending');
    assert.equal(left.approval.waiters, 1);
    assert.deepEqual(await eventsOf('approval.decided', seq), []);
    const last = await device.cancelApproval(ROOM, approval.id, 'the session ended');
    assert.equal(last.approval.status, 'cancelled');
    assert.equal((await eventsOf('approval.decided', seq)).length, 1);
  });

  test('concurrent identical requests end with one request', async () => {
    const key = `{"command":"rm -rf dist-${Date.now()}"}`;
    const seq = await head();
    const all = await Promise.all(Array.from({ length: 5 }, () => ask({ match_key: key })));
    assert.equal(new Set(all.map((r) => r.approval.id)).size, 1);
    assert.equal(all.filter((r) => r.joined).length, 4);
    assert.equal((await eventsOf('approval.requested', seq)).length, 1);
  });
});

describe('who may decide', () => {
  test('a device is refused person_required, even with admin (the requesting agent cannot decide)', async () => {
    const { approval } = await ask();
    const err = await refusedBy(
      device.decideApproval(ROOM, approval.id, 'allow'),
      403,
      'person_required',
    );
    assert.match(err.message, /device/);
    assert.equal((await device.approval(ROOM, approval.id)).approval.status, 'pending');
  });

  test('a person without the approve scope is refused insufficient_scope', async () => {
    const { approval } = await ask();
    const err = await refusedBy(
      carol.api.decideApproval(ROOM, approval.id, 'allow'),
      403,
      'insufficient_scope',
    );
    assert.equal(err.details.needed, 'approve');
    assert.equal((await device.approval(ROOM, approval.id)).approval.status, 'pending');
  });

  test('a second decision is refused 409 naming the first and who made it; concurrent: one wins', async () => {
    const { approval } = await ask();
    const results = await Promise.allSettled(
      ['allow', 'deny', 'allow', 'deny'].map((d) =>
        alice.api.decideApproval(ROOM, approval.id, d as 'allow' | 'deny'),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    assert.equal(won.length, 1);
    const first = (won[0] as PromiseFulfilledResult<{ approval: Approval }>).value.approval;
    const err = await refusedBy(
      alice.api.decideApproval(ROOM, approval.id, 'allow'),
      409,
      'approval_already_decided',
    );
    assert.equal(err.details.status, first.status);
    assert.deepEqual(err.details.decided_by, first.decided_by);
    assert.match(err.message, new RegExp(`already ${first.status} by alice-phone \\(alice\\)`));
  });
});

describe('refusals of a request', () => {
  test('each names its field; nothing is stored', async () => {
    const seq = await head();
    await refusedBy(ask({ tool: '' }), 400, 'invalid_tool');
    await refusedBy(ask({ timeout_seconds: 301 }), 400, 'invalid_timeout');
    await refusedBy(ask({ timeout_seconds: 5 }), 400, 'invalid_timeout');
    await refusedBy(ask({ client: 'emacs' }), 400, 'invalid_client');
    await refusedBy(ask({ reason: 'x'.repeat(2001) }), 400, 'invalid_reason');
    const longKey = await refusedBy(ask({ match_key: 'k'.repeat(301) }), 400, 'invalid_match_key');
    assert.equal(longKey.details.max_chars, 300);
    await refusedBy(ask({ match_key: '' }), 400, 'invalid_match_key');
    await refusedBy(
      device.requestApproval(ROOM, 'nobody', { tool: 'Bash' }),
      404,
      'agent_not_found',
    );
    await refusedBy(
      alice.api.requestApproval(ROOM, AGENT, { tool: 'Bash' }),
      403,
      'not_your_agent',
    );
    await refusedBy(alice.api.decideApproval(ROOM, 'apr_nope', 'allow'), 404, 'approval_not_found');
    assert.deepEqual(await eventsOf('approval.requested', seq), []);
  });

  test('a long input is cut to 2,000 characters with a marker, never stored whole', async () => {
    const { approval } = await ask({ input_preview: 'y'.repeat(5000) });
    assert.equal(approval.input_preview.length, 2000);
    assert.match(approval.input_preview, /^y+\n… \[shortened: 5000 characters in all\]$/);
  });
});

describe('expiry', () => {
  test('past its time a request expires with an event; a late decision is refused approval_expired', async () => {
    const { approval } = await ask({ timeout_seconds: 10 });
    const seq = await head();
    clock.advance(10_001);
    const err = await refusedBy(
      alice.api.decideApproval(ROOM, approval.id, 'allow'),
      409,
      'approval_expired',
    );
    assert.equal(err.details.expires_at, approval.expires_at);
    const { approval: expired } = await device.approval(ROOM, approval.id);
    assert.equal(expired.status, 'expired');
    assert.equal(expired.decided_by, null);
    const events = await eventsOf('approval.decided', seq);
    assert.equal(events.length, 1, 'one expiry event');
    assert.deepEqual(events[0]!.body, { approval: expired, decision: 'expired', decided_by: null });
    assert.equal(events[0]!.actor, null);
    // Everything else still pending has expired too, when the list is read.
    clock.advance(300_000);
    assert.deepEqual((await device.approvals(ROOM)).approvals, []);
  });
});

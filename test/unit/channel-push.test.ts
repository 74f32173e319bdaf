// The channel push of `huddle mcp` without a hub: which events become notifications, in what order,
// what the injection ledger holds back, and that a failure of one push does not stop the next.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createChannelPush, type ChannelNotification } from '../../src/bridge/channel-push.js';
import type { Message, RoomEvent } from '../../src/core/types.js';

const ROOM = 'alpha';
let seq = 0;

function message(from: string, to: string | string[], body: string): Message {
  seq += 1;
  return {
    id: `msg_${seq.toString().padStart(4, '0')}`,
    room: ROOM,
    seq,
    from,
    to,
    recipients: to === '*' ? ['alice', 'bob', 'carol'].filter((a) => a !== from) : [to].flat(),
    kind: 'question',
    body,
    thread: `thr_${seq}`,
    reply_to: null,
    refs: [],
    priority: 'normal',
    depth: 0,
    created_at: new Date(0).toISOString(),
  };
}

const event = (type: string, body: Record<string, unknown>): RoomEvent => ({
  room: ROOM,
  seq: ++seq,
  id: `evt_${seq}`,
  ts: new Date(0).toISOString(),
  actor: null,
  type,
  body,
});
const messageEvent = (m: Message) => event('message', { message: m });

/** A ledger that hands over each id once, recording every call, with optional failures. */
function fakeLedger(options: { taken?: string[]; failOn?: string } = {}) {
  const taken = new Set(options.taken ?? []);
  const calls: Array<{ room: string; agent: string; ids: string[] }> = [];
  return {
    calls,
    async injected(room: string, agent: string, ids: string[]) {
      calls.push({ room, agent, ids });
      await new Promise((r) => setTimeout(r, Math.random() * 5)); // out of order unless chained
      if (ids.includes(options.failOn ?? '')) throw new Error(`ledger down for ${ids.join(',')}`);
      const fresh = ids.filter((id) => !taken.has(id));
      for (const id of fresh) taken.add(id);
      return { injected: fresh };
    },
  };
}

function recorder(failOn?: string) {
  const sent: ChannelNotification[] = [];
  return {
    sent,
    notify: async (n: ChannelNotification) => {
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      if (n.meta.message_id === failOn) throw new Error('transport closed');
      sent.push(n);
    },
  };
}

describe('createChannelPush', () => {
  it('pushes only messages addressed to the agent and not from it, in order', async () => {
    const ledger = fakeLedger();
    const out = recorder();
    const errors: unknown[] = [];
    const push = createChannelPush(ledger, ROOM, 'alice', out.notify, (e) => errors.push(e));
    const first = message('bob', 'alice', 'one <b>bold</b> & done');
    const toBob = message('carol', 'bob', 'not for alice');
    const own = message('alice', 'bob', 'alice speaking');
    const ownBroadcast = message('alice', '*', 'alice to everyone');
    const listed = message('carol', ['bob', 'alice'], 'two');
    const broadcast = message('bob', '*', 'three');
    const events = [
      event('note', { text: 'not a message' }),
      messageEvent(first),
      messageEvent(toBob),
      event('receipt', { agent: 'alice', step: 'delivered', message_ids: [first.id] }),
      messageEvent(own),
      messageEvent(ownBroadcast),
      messageEvent(listed),
      messageEvent(broadcast),
    ];
    for (const e of events) push.onEvent(e);
    await push.idle();

    assert.deepEqual(errors, []);
    assert.deepEqual(
      out.sent.map((n) => n.meta.message_id),
      [first.id, listed.id, broadcast.id],
    );
    assert.deepEqual(
      ledger.calls,
      [first, listed, broadcast].map((m) => ({ room: ROOM, agent: 'alice', ids: [m.id] })),
    );
    const [n] = out.sent;
    assert.deepEqual(n!.meta, {
      room: ROOM,
      sender: 'bob',
      kind: 'question',
      message_id: first.id,
    });
    for (const value of Object.values(n!.meta)) assert.equal(typeof value, 'string');
    for (const key of Object.keys(n!.meta)) assert.match(key, /^[A-Za-z0-9_]+$/);
    assert.match(n!.content, new RegExp(`^\\[message ${first.id} from agent "bob"`));
    assert.match(n!.content, /one &lt;b&gt;bold&lt;\/b&gt; & done/);
    // No angle bracket from the body survives; only the quote marker '> ' starts a body line.
    assert.ok(!n!.content.replace(/^> /gm, '').match(/[<>]/), n!.content);
  });

  it('does not push a message the ledger did not hand over (a hook showed it already)', async () => {
    const shown = message('bob', 'alice', 'already in the context');
    const fresh = message('bob', 'alice', 'new');
    const ledger = fakeLedger({ taken: [shown.id] });
    const out = recorder();
    const errors: unknown[] = [];
    const push = createChannelPush(ledger, ROOM, 'alice', out.notify, (e) => errors.push(e));
    push.onEvent(messageEvent(shown));
    push.onEvent(messageEvent(fresh));
    // The same message seen again (a stream replay after a reconnect) is not pushed twice.
    push.onEvent(messageEvent(fresh));
    await push.idle();
    assert.deepEqual(errors, []);
    assert.deepEqual(
      out.sent.map((n) => n.meta.message_id),
      [fresh.id],
    );
    assert.equal(ledger.calls.length, 3);
  });

  it('reports a failing notify or ledger to onError and goes on with later messages', async () => {
    const ledgerFails = message('bob', 'alice', 'ledger fails');
    const notifyFails = message('bob', 'alice', 'notify fails');
    const later = message('bob', 'alice', 'later');
    const ledger = fakeLedger({ failOn: ledgerFails.id });
    const out = recorder(notifyFails.id);
    const errors: unknown[] = [];
    const push = createChannelPush(ledger, ROOM, 'alice', out.notify, (e) => errors.push(e));
    push.onEvent(messageEvent(ledgerFails));
    push.onEvent(messageEvent(notifyFails));
    push.onEvent(messageEvent(later));
    await push.idle();
    assert.deepEqual(
      errors.map((e) => (e as Error).message),
      [`ledger down for ${ledgerFails.id}`, 'transport closed'],
    );
    assert.deepEqual(
      out.sent.map((n) => n.meta.message_id),
      [later.id],
    );
    // idle() resolves (never rejects) after failures, and later events still go out.
    const last = message('carol', 'alice', 'after idle');
    push.onEvent(messageEvent(last));
    await push.idle();
    assert.deepEqual(
      out.sent.map((n) => n.meta.message_id),
      [later.id, last.id],
    );
  });

  it('without onError a failure is swallowed and later messages still go out', async () => {
    const bad = message('bob', 'alice', 'bad');
    const good = message('bob', 'alice', 'good');
    const out = recorder(bad.id);
    const push = createChannelPush(fakeLedger(), ROOM, 'alice', out.notify);
    push.onEvent(messageEvent(bad));
    push.onEvent(messageEvent(good));
    await push.idle();
    assert.deepEqual(
      out.sent.map((n) => n.meta.message_id),
      [good.id],
    );
  });
});

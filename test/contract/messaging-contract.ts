// The agent, presence, message and receipt cases every Store must pass, written only against the Store interface.

import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { MessageDraft, NewAgent, Store } from '../../src/core/store.js';
import type {
  Actor,
  Agent,
  AgentStatus,
  EventDraft,
  Member,
  Message,
  Receipt,
  Room,
  RoomEvent,
} from '../../src/core/types.js';
import { huddleError, type OpenedStore } from './store-contract.js';

const T0 = Date.UTC(2026, 0, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const iso = (ms: number) => new Date(ms).toISOString();

const digest = () => randomBytes(32).toString('hex');
const id = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

function draft(type: string, body: Record<string, unknown> = {}, ts = T0): EventDraft {
  return { id: id('ev'), ts, actor: null, type, body };
}

interface RoomFixture {
  room: Room;
  admin: Member;
  actor: Actor;
}

async function createRoom(store: Store): Promise<RoomFixture> {
  const name = id('room').replace('_', '-');
  const memberId = id('mem');
  const actor = { member_id: memberId, label: 'admin' };
  const created = await store.createRoom({
    room: { id: id('room'), name, created_at: T0 },
    member: { id: memberId, label: 'admin', scopes: ['admin'], created_at: T0 },
    token_digest: digest(),
    event: { ...draft('room.created', { name }), actor },
  });
  return { room: created.room, admin: created.member, actor };
}

/** A second member of the room, paired through a code. */
async function addMember(store: Store, f: RoomFixture, label = 'device'): Promise<Member> {
  const code = digest();
  await store.createPairCode(
    {
      digest: code,
      room_id: f.room.id,
      scopes: ['read', 'write'],
      created_by: f.admin.id,
      created_at: T0,
      expires_at: T0 + 10 * MINUTE,
    },
    draft('code.created'),
  );
  const { member } = await store.redeemPairCode({
    digest: code,
    now: T0,
    member: { id: id('mem'), label, created_at: T0 },
    token_digest: digest(),
    event: (m) => draft('member.joined', { member_id: m.id }),
  });
  return member;
}

function newAgent(name: string, member: Member, at = T0, extra: Partial<NewAgent> = {}): NewAgent {
  return {
    name,
    member_id: member.id,
    at,
    client: 'claude-code',
    model: 'opus',
    host: 'laptop',
    cwd: '/src/app',
    mcp_servers: ['github'],
    tags: ['backend'],
    ...extra,
  };
}

/** Registers an agent and records what the event callback was given. */
async function register(
  store: Store,
  f: RoomFixture,
  agent: NewAgent,
): Promise<{ agent: Agent; event: RoomEvent; previous: Agent | null }> {
  let previous: Agent | null | undefined;
  const result = await store.registerAgent(f.room.id, agent, (a, prev) => {
    previous = prev;
    return draft('agent.registered', { agent: a.name, restarted: prev !== null }, agent.at);
  });
  assert.notEqual(previous, undefined, 'the event callback was called');
  assert.ok(result.event, 'a registration appends an event');
  return { agent: result.agent, event: result.event, previous: previous! };
}

function touch(
  store: Store,
  f: RoomFixture,
  name: string,
  at: number,
  status?: AgentStatus,
): Promise<{ agent: Agent; event: RoomEvent | null }> {
  return store.touchAgent(f.room.id, name, at, status, (from, to) =>
    draft('agent.status', { agent: name, from, to }, at),
  );
}

function messageDraft(
  from: string,
  to: string | string[],
  recipients: string[],
  at: number,
  extra: Partial<MessageDraft> = {},
): MessageDraft {
  const messageId = id('msg');
  return {
    id: messageId,
    from,
    to,
    recipients,
    kind: 'finding',
    body: `body of ${messageId}`,
    thread: messageId,
    reply_to: null,
    refs: [],
    priority: 'normal',
    depth: 0,
    created_at: iso(at),
    ...extra,
  };
}

interface SendOptions {
  at?: number;
  digest?: string;
  window?: number;
  extra?: Partial<MessageDraft>;
  idem?: { member_id: string; key: string; fingerprint: string };
}

async function send(
  store: Store,
  f: RoomFixture,
  from: string,
  recipients: string[],
  options: SendOptions = {},
): Promise<{ message: Message; event: RoomEvent }> {
  const at = options.at ?? T0;
  const message = messageDraft(from, recipients, recipients, at, options.extra);
  return store.sendMessage(
    f.room.id,
    {
      message,
      at,
      digest: options.digest ?? digest(),
      ...(options.window !== undefined && { duplicate_window_seconds: options.window }),
      event: (m) => draft('message', { message: m }, at),
    },
    options.idem && { ...options.idem, at },
  );
}

function advance(
  store: Store,
  f: RoomFixture,
  agent: string,
  ids: string[] | 'all',
  step: 'delivered' | 'injected' | 'read' | 'acked',
  at: number,
) {
  return store.advanceReceipts(f.room.id, agent, ids, step, at, (changed) =>
    draft('receipt', { agent, step, message_ids: changed }, at),
  );
}

async function lastSeq(store: Store, f: RoomFixture): Promise<number> {
  const room = await store.findRoom(f.room.name);
  assert.ok(room);
  return room.last_seq;
}

async function receiptOf(store: Store, f: RoomFixture, messageId: string, agent: string) {
  const r = (await store.receipts(f.room.id, messageId)).find((x) => x.agent === agent);
  assert.ok(r, `${agent} has a receipt for ${messageId}`);
  return r;
}

const sorted = (list: string[]) => [...list].sort();

function receipt(
  messageId: string,
  agent: string,
  stored: number,
  steps: Partial<Record<'delivered' | 'injected' | 'read' | 'acked', number>> = {},
): Receipt {
  const t = (ms: number | undefined) => (ms === undefined ? null : iso(ms));
  return {
    message_id: messageId,
    agent,
    stored_at: iso(stored),
    delivered_at: t(steps.delivered),
    injected_at: t(steps.injected),
    read_at: t(steps.read),
    acked_at: t(steps.acked),
  };
}

export function runMessagingContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store messaging contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(() => opened.cleanup());

    describe('registerAgent', () => {
      it('quiet: creates a missing agent offline; leaves an existing one as it is, with no event', async () => {
        const f = await createRoom(store);
        const quiet = { quiet: true };
        const ev = (a: Agent) => draft('agent.registered', { agent: a.name });
        const created = await store.registerAgent(f.room.id, newAgent('q', f.admin), ev, quiet);
        assert.equal(created.agent.status, 'offline');
        assert.ok(created.event);
        await register(store, f, newAgent('q', f.admin, T0 + 5, { model: 'sonnet' }));
        const seq = await lastSeq(store, f);
        const again = await store.registerAgent(
          f.room.id,
          newAgent('q', f.admin, T0 + 9, { model: 'other' }),
          ev,
          quiet,
        );
        assert.equal(again.event, null);
        assert.equal(again.agent.status, 'online');
        assert.equal(again.agent.model, 'sonnet');
        assert.equal(await lastSeq(store, f), seq);
      });

      it('registers an agent online with its capabilities and appends its event', async () => {
        const f = await createRoom(store);
        const before = await lastSeq(store, f);
        const { agent, event, previous } = await register(
          store,
          f,
          newAgent('alice', f.admin, T0 + 5),
        );
        assert.equal(previous, null);
        assert.deepEqual(agent, {
          name: 'alice',
          room: f.room.name,
          member_id: f.admin.id,
          client: 'claude-code',
          model: 'opus',
          host: 'laptop',
          cwd: '/src/app',
          mcp_servers: ['github'],
          tags: ['backend'],
          status: 'online',
          last_seen: iso(T0 + 5),
          registered_at: iso(T0 + 5),
        });
        assert.equal(event.seq, before + 1);
        assert.equal(event.type, 'agent.registered');
        assert.deepEqual(event.body, { agent: 'alice', restarted: false });
        assert.equal(await lastSeq(store, f), before + 1);
        assert.deepEqual((await store.listEvents(f.room.id, before, 10))[0], event);
        assert.deepEqual(await store.getAgent(f.room.id, 'alice'), agent);
      });

      it('keeps null and empty capabilities as given', async () => {
        const f = await createRoom(store);
        const { agent } = await register(
          store,
          f,
          newAgent('bare', f.admin, T0, {
            client: 'other',
            model: null,
            host: null,
            cwd: null,
            mcp_servers: [],
            tags: [],
          }),
        );
        assert.equal(agent.client, 'other');
        assert.equal(agent.model, null);
        assert.equal(agent.host, null);
        assert.equal(agent.cwd, null);
        assert.deepEqual(agent.mcp_servers, []);
        assert.deepEqual(agent.tags, []);
        assert.deepEqual(await store.getAgent(f.room.id, 'bare'), agent);
      });

      it('refuses a name held by another member with agent_name_taken and changes nothing', async () => {
        const f = await createRoom(store);
        const other = await addMember(store, f);
        const { agent } = await register(store, f, newAgent('alice', f.admin));
        const before = await lastSeq(store, f);
        await assert.rejects(
          store.registerAgent(f.room.id, newAgent('alice', other, T0 + MINUTE), () =>
            draft('agent.registered'),
          ),
          huddleError('agent_name_taken', 'conflict'),
        );
        assert.equal(await lastSeq(store, f), before);
        assert.deepEqual(await store.getAgent(f.room.id, 'alice'), agent);
      });

      it('lets the same name exist in two rooms, held by different members', async () => {
        const a = await createRoom(store);
        const b = await createRoom(store);
        const inA = await register(store, a, newAgent('alice', a.admin));
        const inB = await register(store, b, newAgent('alice', b.admin, T0 + 1));
        assert.equal(inA.agent.member_id, a.admin.id);
        assert.equal(inB.agent.member_id, b.admin.id);
        assert.equal(inB.agent.room, b.room.name);
        assert.deepEqual(await store.getAgent(a.room.id, 'alice'), inA.agent);
        assert.deepEqual(await store.getAgent(b.room.id, 'alice'), inB.agent);
      });

      it('re-registers the same member: capabilities replaced, online, inbox kept', async () => {
        const f = await createRoom(store);
        const { agent: first } = await register(store, f, newAgent('alice', f.admin));
        await register(store, f, newAgent('bob', f.admin));
        const sent = await send(store, f, 'bob', ['alice'], { at: T0 + SECOND });
        await touch(store, f, 'alice', T0 + 2 * SECOND, 'working');
        await store.sweepOffline(T0 + 10 * MINUTE, (a) => draft('agent.status', { agent: a.name }));
        assert.equal((await store.getAgent(f.room.id, 'alice'))?.status, 'offline');

        const again = await register(
          store,
          f,
          newAgent('alice', f.admin, T0 + 11 * MINUTE, {
            client: 'codex',
            model: null,
            tags: ['frontend'],
          }),
        );
        assert.equal(again.previous?.name, 'alice');
        assert.equal(again.previous?.status, 'offline');
        assert.equal(again.previous?.client, 'claude-code');
        assert.deepEqual(again.event.body, { agent: 'alice', restarted: true });
        assert.equal(again.agent.status, 'online');
        assert.equal(again.agent.client, 'codex');
        assert.equal(again.agent.model, null);
        assert.deepEqual(again.agent.tags, ['frontend']);
        assert.equal(again.agent.member_id, first.member_id);
        assert.equal(again.agent.last_seen, iso(T0 + 11 * MINUTE));

        const inbox = await store.inbox(f.room.id, 'alice', { unread_only: true, limit: 10 });
        assert.deepEqual(
          inbox.map((i) => i.message),
          [sent.message],
        );
        assert.equal((await store.listAgents(f.room.id)).length, 2, 'no second agent record');
      });

      it('brings a retired agent back when it registers again', async () => {
        const f = await createRoom(store);
        await register(store, f, newAgent('alice', f.admin));
        const retired = await touch(store, f, 'alice', T0 + SECOND, 'retired');
        assert.equal(retired.agent.status, 'retired');
        const back = await register(store, f, newAgent('alice', f.admin, T0 + 2 * SECOND));
        assert.equal(back.previous?.status, 'retired');
        assert.equal(back.agent.status, 'online');
        // Usable again: touching it works.
        const touched = await touch(store, f, 'alice', T0 + 3 * SECOND, 'idle');
        assert.equal(touched.agent.status, 'idle');
      });
    });

    describe('listAgents and getAgent', () => {
      it('lists every agent of the room by name, retired ones included, and no other room', async () => {
        const f = await createRoom(store);
        const other = await createRoom(store);
        const member = await addMember(store, f);
        await register(store, f, newAgent('zed', f.admin));
        await register(store, f, newAgent('alice', member));
        await register(store, f, newAgent('mia', f.admin));
        await register(store, other, newAgent('outsider', other.admin));
        await touch(store, f, 'mia', T0 + 1, 'retired');
        const agents = await store.listAgents(f.room.id);
        assert.deepEqual(
          agents.map((a) => [a.name, a.status, a.member_id]),
          [
            ['alice', 'online', member.id],
            ['mia', 'retired', f.admin.id],
            ['zed', 'online', f.admin.id],
          ],
        );
        for (const a of agents) assert.deepEqual(await store.getAgent(f.room.id, a.name), a);
      });

      it('finds no agent for an unknown name or one of another room', async () => {
        const f = await createRoom(store);
        const other = await createRoom(store);
        await register(store, other, newAgent('outsider', other.admin));
        assert.equal(await store.getAgent(f.room.id, 'nobody'), null);
        assert.equal(await store.getAgent(f.room.id, 'outsider'), null);
        assert.deepEqual(await store.listAgents(f.room.id), []);
      });
    });

    describe('touchAgent', () => {
      it('records last_seen without an event when no status is given', async () => {
        const f = await createRoom(store);
        await register(store, f, newAgent('alice', f.admin));
        const before = await lastSeq(store, f);
        const result = await touch(store, f, 'alice', T0 + 30 * SECOND);
        assert.equal(result.event, null);
        assert.equal(result.agent.status, 'online');
        assert.equal(result.agent.last_seen, iso(T0 + 30 * SECOND));
        assert.equal(await lastSeq(store, f), before);
        assert.deepEqual(await store.getAgent(f.room.id, 'alice'), result.agent);
      });

      it('appends no event when the status is the one already stored', async () => {
        const f = await createRoom(store);
        await register(store, f, newAgent('alice', f.admin));
        const before = await lastSeq(store, f);
        const result = await touch(store, f, 'alice', T0 + SECOND, 'online');
        assert.equal(result.event, null);
        assert.equal(result.agent.last_seen, iso(T0 + SECOND));
        assert.equal(await lastSeq(store, f), before);
      });

      it('sets a new status and appends event(from, to) with the next seq', async () => {
        const f = await createRoom(store);
        await register(store, f, newAgent('alice', f.admin));
        const before = await lastSeq(store, f);
        const working = await touch(store, f, 'alice', T0 + SECOND, 'working');
        assert.equal(working.agent.status, 'working');
        assert.ok(working.event);
        assert.equal(working.event.seq, before + 1);
        assert.deepEqual(working.event.body, { agent: 'alice', from: 'online', to: 'working' });
        const waiting = await touch(store, f, 'alice', T0 + 2 * SECOND, 'waiting');
        assert.deepEqual(waiting.event?.body, { agent: 'alice', from: 'working', to: 'waiting' });
        assert.equal(waiting.event?.seq, before + 2);
        assert.deepEqual(await store.listEvents(f.room.id, before, 10), [
          working.event,
          waiting.event,
        ]);
        assert.equal((await store.getAgent(f.room.id, 'alice'))?.status, 'waiting');
      });

      it('fails with agent_not_found for an unknown agent, appending nothing', async () => {
        const f = await createRoom(store);
        const before = await lastSeq(store, f);
        await assert.rejects(
          touch(store, f, 'ghost', T0, 'working'),
          huddleError('agent_not_found', 'not_found'),
        );
        assert.equal(await lastSeq(store, f), before);
      });

      it('fails with agent_retired for a retired agent, whatever the status', async () => {
        const f = await createRoom(store);
        await register(store, f, newAgent('alice', f.admin));
        await touch(store, f, 'alice', T0 + SECOND, 'retired');
        const before = await lastSeq(store, f);
        await assert.rejects(
          touch(store, f, 'alice', T0 + 2 * SECOND, 'online'),
          huddleError('agent_retired', 'conflict'),
        );
        await assert.rejects(
          touch(store, f, 'alice', T0 + 2 * SECOND),
          huddleError('agent_retired', 'conflict'),
        );
        assert.equal(await lastSeq(store, f), before);
        const agent = await store.getAgent(f.room.id, 'alice');
        assert.equal(agent?.status, 'retired');
        assert.equal(agent?.last_seen, iso(T0 + SECOND));
      });
    });

    describe('sweepOffline', () => {
      it('takes silent agents of every room offline, giving each event the agent as it was', async () => {
        const f = await createRoom(store);
        const g = await createRoom(store);
        await register(store, f, newAgent('quiet', f.admin, T0));
        await register(store, f, newAgent('busy', f.admin, T0));
        await touch(store, f, 'busy', T0 + SECOND, 'working');
        await register(store, f, newAgent('fresh', f.admin, T0 + 2 * MINUTE));
        await register(store, f, newAgent('edge', f.admin, T0 + MINUTE));
        await register(store, f, newAgent('gone', f.admin, T0));
        await touch(store, f, 'gone', T0, 'offline');
        await register(store, f, newAgent('retired', f.admin, T0));
        await touch(store, f, 'retired', T0, 'retired');
        await register(store, g, newAgent('elsewhere', g.admin, T0));
        const beforeF = await lastSeq(store, f);
        const beforeG = await lastSeq(store, g);

        const given: Agent[] = [];
        const swept = await store.sweepOffline(T0 + MINUTE, (agent) => {
          given.push(agent);
          return draft('agent.status', { agent: agent.name, from: agent.status, to: 'offline' });
        });

        assert.deepEqual(
          given.map((a) => `${a.room}/${a.name}:${a.status}`).sort(),
          [
            `${f.room.name}/busy:working`,
            `${f.room.name}/quiet:online`,
            `${g.room.name}/elsewhere:online`,
          ].sort(),
        );
        assert.equal(swept.length, 3);
        const inF = swept.filter((s) => s.room_id === f.room.id).map((s) => s.event);
        const inG = swept.filter((s) => s.room_id === g.room.id).map((s) => s.event);
        assert.deepEqual(
          inF.map((e) => e.seq).sort((x, y) => x - y),
          [beforeF + 1, beforeF + 2],
        );
        assert.deepEqual(inF.map((e) => e.body.from).sort(), ['online', 'working']);
        assert.deepEqual(
          inG.map((e) => e.seq),
          [beforeG + 1],
        );
        assert.deepEqual(
          inG.map((e) => e.room),
          [g.room.name],
        );
        assert.deepEqual(
          sorted(inF.map((e) => e.id)),
          sorted((await store.listEvents(f.room.id, beforeF, 10)).map((e) => e.id)),
        );

        const status = async (room: RoomFixture, n: string) =>
          (await store.getAgent(room.room.id, n))?.status;
        assert.equal(await status(f, 'quiet'), 'offline');
        assert.equal(await status(f, 'busy'), 'offline');
        assert.equal(await status(g, 'elsewhere'), 'offline');
        assert.equal(await status(f, 'fresh'), 'online');
        // Last seen exactly at `before` is not before it.
        assert.equal(await status(f, 'edge'), 'online');
        assert.equal(await status(f, 'gone'), 'offline');
        assert.equal(await status(f, 'retired'), 'retired');

        // A second sweep finds nothing more to do.
        assert.deepEqual(await store.sweepOffline(T0 + MINUTE, () => draft('agent.status')), []);
        assert.equal(await lastSeq(store, f), beforeF + 2);
      });

      it('leaves an agent online once a later touch moves its last_seen past the cut', async () => {
        const f = await createRoom(store);
        await register(store, f, newAgent('alice', f.admin, T0));
        await touch(store, f, 'alice', T0 + 5 * MINUTE);
        assert.deepEqual(
          await store.sweepOffline(T0 + 4 * MINUTE, () => draft('agent.status')),
          [],
        );
        assert.equal((await store.getAgent(f.room.id, 'alice'))?.status, 'online');
      });
    });

    describe('sendMessage and getMessage', () => {
      it('stores the message with a stored receipt per recipient; message.seq is its event seq', async () => {
        const f = await createRoom(store);
        for (const n of ['alice', 'bob', 'carol']) await register(store, f, newAgent(n, f.admin));
        const before = await lastSeq(store, f);
        const at = T0 + 42 * SECOND;
        const draftMessage = messageDraft('alice', ['bob', 'carol'], ['bob', 'carol'], at, {
          kind: 'handoff',
          body: '# Take over\n\nThe **parser** is yours.',
          thread: 'parser-work',
          refs: [{ path: 'src/parser.ts', start_line: 10, end_line: 20, snippet: 'parse()' }],
          priority: 'urgent',
          depth: 2,
          reply_to: null,
        });
        let given: Message | undefined;
        const { message, event } = await store.sendMessage(f.room.id, {
          message: draftMessage,
          at,
          digest: digest(),
          event: (m) => {
            given = m;
            return draft('message', { message: m }, at);
          },
        });
        assert.deepEqual(message, { ...draftMessage, seq: before + 1, room: f.room.name });
        assert.deepEqual(given, message, 'the event callback sees the message with its seq');
        assert.equal(event.seq, message.seq);
        assert.equal(event.type, 'message');
        assert.deepEqual(event.body, { message });
        assert.equal(await lastSeq(store, f), before + 1);
        assert.deepEqual(await store.listEvents(f.room.id, before, 10), [event]);

        assert.deepEqual(await store.getMessage(f.room.id, message.id), message);
        assert.deepEqual(
          [...(await store.receipts(f.room.id, message.id))].sort((x, y) =>
            x.agent.localeCompare(y.agent),
          ),
          [receipt(message.id, 'bob', at), receipt(message.id, 'carol', at)],
        );
      });

      it('keeps "*" and a single name as addressed, with the resolved recipients', async () => {
        const f = await createRoom(store);
        const star = await store.sendMessage(f.room.id, {
          message: messageDraft('alice', '*', ['bob', 'carol'], T0),
          at: T0,
          digest: digest(),
          event: (m) => draft('message', { message: m }),
        });
        assert.equal(star.message.to, '*');
        assert.deepEqual(star.message.recipients, ['bob', 'carol']);
        const one = await store.sendMessage(f.room.id, {
          message: messageDraft('alice', 'bob', ['bob'], T0),
          at: T0,
          digest: digest(),
          event: (m) => draft('message', { message: m }),
        });
        assert.equal(one.message.to, 'bob');
        assert.deepEqual(await store.getMessage(f.room.id, star.message.id), star.message);
        assert.deepEqual(await store.getMessage(f.room.id, one.message.id), one.message);
        assert.equal(one.message.seq, star.message.seq + 1);
      });

      it('gives messages interleaved with other events the seq of their own event', async () => {
        const f = await createRoom(store);
        const writes = await Promise.all([
          send(store, f, 'alice', ['bob']),
          store.appendEvent(f.room.id, draft('note')),
          send(store, f, 'bob', ['alice']),
          store.appendEvent(f.room.id, draft('note')),
          send(store, f, 'alice', ['bob']),
        ]);
        const messages = [writes[0], writes[2], writes[4]] as Array<{
          message: Message;
          event: RoomEvent;
        }>;
        for (const { message, event } of messages) {
          assert.equal(message.seq, event.seq);
          assert.equal((await store.getMessage(f.room.id, message.id))?.seq, event.seq);
          const logged = (await store.listEvents(f.room.id, event.seq - 1, 1))[0];
          assert.equal(logged?.id, event.id);
          assert.equal((logged?.body.message as Message).id, message.id);
        }
      });

      it('finds no message for an unknown id or one of another room', async () => {
        const f = await createRoom(store);
        const g = await createRoom(store);
        const { message } = await send(store, g, 'alice', ['bob']);
        assert.equal(await store.getMessage(f.room.id, 'msg_unknown'), null);
        assert.equal(await store.getMessage(f.room.id, message.id), null);
        assert.deepEqual(await store.receipts(f.room.id, message.id), []);
        assert.deepEqual(await store.receipts(f.room.id, 'msg_unknown'), []);
      });

      it('refuses the same digest from the same sender within the window with duplicate_message', async () => {
        const f = await createRoom(store);
        const same = digest();
        const first = await send(store, f, 'alice', ['bob'], { at: T0, digest: same, window: 10 });
        const before = await lastSeq(store, f);
        const error = await send(store, f, 'alice', ['bob'], {
          at: T0 + 10 * SECOND - 1,
          digest: same,
          window: 10,
        }).then(
          () => assert.fail('expected duplicate_message'),
          (err: unknown) => err as { name: string; code: string; kind: string; details: unknown },
        );
        assert.equal(error.name, 'HuddleError');
        assert.equal(error.code, 'duplicate_message');
        assert.equal(error.kind, 'conflict');
        assert.deepEqual(error.details, { window_seconds: 10 });
        assert.equal(await lastSeq(store, f), before, 'nothing appended');
        assert.deepEqual(
          (await store.inbox(f.room.id, 'bob', { unread_only: false, limit: 10 })).map(
            (i) => i.message.id,
          ),
          [first.message.id],
        );
      });

      it('accepts the same digest after the window, from another sender, or without a window', async () => {
        const f = await createRoom(store);
        const same = digest();
        await send(store, f, 'alice', ['bob'], { at: T0, digest: same, window: 10 });
        // Another sender with the same digest is not a duplicate.
        await send(store, f, 'carol', ['bob'], { at: T0 + 1, digest: same, window: 10 });
        // A store call without a window never checks.
        await send(store, f, 'alice', ['bob'], { at: T0 + 2, digest: same });
        // Past the window (measured from the newest copy), it is accepted again.
        const later = await send(store, f, 'alice', ['bob'], {
          at: T0 + 2 + 10 * SECOND + 1,
          digest: same,
          window: 10,
        });
        assert.equal(later.message.from, 'alice');
        assert.equal(
          (await store.inbox(f.room.id, 'bob', { unread_only: false, limit: 10 })).length,
          4,
        );
      });

      it('does not count a message of another room as a duplicate', async () => {
        const f = await createRoom(store);
        const g = await createRoom(store);
        const same = digest();
        await send(store, f, 'alice', ['bob'], { at: T0, digest: same, window: 10 });
        const other = await send(store, g, 'alice', ['bob'], { at: T0, digest: same, window: 10 });
        assert.equal(other.message.room, g.room.name);
      });

      it('replays a send with the same idempotency key: the original result, nothing new', async () => {
        const f = await createRoom(store);
        const key = { member_id: f.admin.id, key: 'send-1', fingerprint: 'fp-1' };
        const first = await send(store, f, 'alice', ['bob', 'carol'], { idem: key });
        const before = await lastSeq(store, f);
        const replay = await send(store, f, 'alice', ['bob', 'carol'], {
          at: T0 + SECOND,
          idem: key,
        });
        assert.deepEqual(replay, first);
        assert.equal(await lastSeq(store, f), before);
        assert.equal((await store.receipts(f.room.id, first.message.id)).length, 2);
        assert.equal(
          (await store.inbox(f.room.id, 'bob', { unread_only: false, limit: 10 })).length,
          1,
        );
        await assert.rejects(
          send(store, f, 'alice', ['bob'], {
            idem: { ...key, fingerprint: 'fp-other' },
          }),
          huddleError('idempotency_key_reused', 'conflict'),
        );
        assert.equal(await lastSeq(store, f), before);
      });
    });

    describe('inbox', () => {
      it("lists the agent's open messages oldest first, with its own receipt", async () => {
        const f = await createRoom(store);
        const m1 = await send(store, f, 'alice', ['bob', 'carol'], { at: T0 + 1 });
        const m2 = await send(store, f, 'carol', ['bob'], { at: T0 + 2 });
        await send(store, f, 'bob', ['alice'], { at: T0 + 3 });
        await store.appendEvent(f.room.id, draft('note'));
        const m3 = await send(store, f, 'alice', ['bob'], { at: T0 + 4 });
        const items = await store.inbox(f.room.id, 'bob', { unread_only: true, limit: 10 });
        assert.deepEqual(
          items.map((i) => i.message),
          [m1.message, m2.message, m3.message],
        );
        assert.deepEqual(
          items.map((i) => i.receipt),
          [
            receipt(m1.message.id, 'bob', T0 + 1),
            receipt(m2.message.id, 'bob', T0 + 2),
            receipt(m3.message.id, 'bob', T0 + 4),
          ],
        );
        const carol = await store.inbox(f.room.id, 'carol', { unread_only: true, limit: 10 });
        assert.deepEqual(
          carol.map((i) => i.message.id),
          [m1.message.id],
        );
        assert.deepEqual(
          await store.inbox(f.room.id, 'nobody', { unread_only: false, limit: 10 }),
          [],
        );
      });

      it('keeps to the limit, and leaves out read ones with unread_only and acked ones always', async () => {
        const f = await createRoom(store);
        const ms = [];
        for (let i = 0; i < 5; i++)
          ms.push((await send(store, f, 'alice', ['bob'], { at: T0 + i })).message);
        assert.deepEqual(
          (await store.inbox(f.room.id, 'bob', { unread_only: true, limit: 2 })).map(
            (i) => i.message.id,
          ),
          [ms[0]!.id, ms[1]!.id],
        );
        await advance(store, f, 'bob', [ms[0]!.id], 'read', T0 + MINUTE);
        await advance(store, f, 'bob', [ms[1]!.id], 'acked', T0 + MINUTE);
        await advance(store, f, 'bob', [ms[2]!.id], 'injected', T0 + MINUTE);
        assert.deepEqual(
          (await store.inbox(f.room.id, 'bob', { unread_only: true, limit: 10 })).map(
            (i) => i.message.id,
          ),
          [ms[2]!.id, ms[3]!.id, ms[4]!.id],
        );
        const open = await store.inbox(f.room.id, 'bob', { unread_only: false, limit: 10 });
        assert.deepEqual(
          open.map((i) => i.message.id),
          [ms[0]!.id, ms[2]!.id, ms[3]!.id, ms[4]!.id],
        );
        assert.equal(open[0]!.receipt.read_at, iso(T0 + MINUTE));
        assert.equal(open[1]!.receipt.injected_at, iso(T0 + MINUTE));
        assert.equal(open[1]!.receipt.read_at, null);
      });

      it('with uninjected_only, leaves out messages injected or read; counts unread and uninjected', async () => {
        const f = await createRoom(store);
        const ms = [];
        for (let i = 0; i < 5; i++)
          ms.push((await send(store, f, 'alice', ['bob'], { at: T0 + i })).message);
        await advance(store, f, 'bob', [ms[0]!.id], 'injected', T0 + MINUTE);
        await advance(store, f, 'bob', [ms[1]!.id], 'read', T0 + MINUTE);
        await advance(store, f, 'bob', [ms[2]!.id], 'acked', T0 + MINUTE);
        await advance(store, f, 'bob', [ms[3]!.id], 'delivered', T0 + MINUTE);
        const fresh = await store.inbox(f.room.id, 'bob', {
          unread_only: true,
          uninjected_only: true,
          limit: 10,
        });
        assert.deepEqual(
          fresh.map((i) => i.message.id),
          [ms[3]!.id, ms[4]!.id],
        );
        assert.deepEqual(await store.inboxCounts(f.room.id, 'bob'), { unread: 3, uninjected: 2 });
        assert.deepEqual(await store.inboxCounts(f.room.id, 'nobody'), {
          unread: 0,
          uninjected: 0,
        });
      });

      it('injected is taken once: of concurrent advances to injected, each message changes for one', async () => {
        const f = await createRoom(store);
        const ms = [];
        for (let i = 0; i < 4; i++)
          ms.push((await send(store, f, 'alice', ['bob'], { at: T0 + i })).message);
        const ids = ms.map((m) => m.id);
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, k) => advance(store, f, 'bob', ids, 'injected', T0 + k)),
        );
        const taken = results.flatMap((r) => r.changed);
        assert.deepEqual(sorted(taken), sorted(ids));
      });

      it('with ids, returns only those of its open messages, in order, within the limit', async () => {
        const f = await createRoom(store);
        const ms = [];
        for (let i = 0; i < 6; i++)
          ms.push((await send(store, f, 'alice', ['bob'], { at: T0 + i })).message);
        const foreign = (await send(store, f, 'alice', ['carol'])).message;
        await advance(store, f, 'bob', [ms[1]!.id], 'read', T0 + MINUTE);
        await advance(store, f, 'bob', [ms[5]!.id], 'acked', T0 + MINUTE);
        const ids = [ms[4]!.id, ms[1]!.id, foreign.id, 'msg_unknown', ms[5]!.id, ms[3]!.id];
        assert.deepEqual(
          (await store.inbox(f.room.id, 'bob', { unread_only: false, limit: 10, ids })).map(
            (i) => i.message.id,
          ),
          [ms[1]!.id, ms[3]!.id, ms[4]!.id],
        );
        assert.deepEqual(
          (await store.inbox(f.room.id, 'bob', { unread_only: true, limit: 10, ids })).map(
            (i) => i.message.id,
          ),
          [ms[3]!.id, ms[4]!.id],
        );
        assert.deepEqual(
          (await store.inbox(f.room.id, 'bob', { unread_only: false, limit: 2, ids })).map(
            (i) => i.message.id,
          ),
          [ms[1]!.id, ms[3]!.id],
        );
        // ids beyond the first `limit` open messages are still found.
        assert.deepEqual(
          (
            await store.inbox(f.room.id, 'bob', { unread_only: false, limit: 1, ids: [ms[4]!.id] })
          ).map((i) => i.message.id),
          [ms[4]!.id],
        );
      });
    });

    describe('advanceReceipts', () => {
      it('moves a receipt up, filling earlier steps with the same time and keeping first times', async () => {
        const f = await createRoom(store);
        const m1 = (await send(store, f, 'alice', ['bob', 'carol'], { at: T0 })).message;
        const m2 = (await send(store, f, 'alice', ['bob'], { at: T0 })).message;
        const before = await lastSeq(store, f);

        const delivered = await advance(store, f, 'bob', [m1.id], 'delivered', T0 + 1 * SECOND);
        assert.deepEqual(delivered.changed, [m1.id]);
        assert.ok(delivered.event);
        assert.equal(delivered.event.seq, before + 1);
        assert.deepEqual(delivered.event.body, {
          agent: 'bob',
          step: 'delivered',
          message_ids: [m1.id],
        });
        assert.deepEqual(
          await receiptOf(store, f, m1.id, 'bob'),
          receipt(m1.id, 'bob', T0, { delivered: T0 + SECOND }),
        );

        const read = await advance(store, f, 'bob', [m1.id, m2.id], 'read', T0 + 2 * SECOND);
        assert.deepEqual(sorted(read.changed), sorted([m1.id, m2.id]));
        assert.deepEqual(sorted(read.event?.body.message_ids as string[]), sorted([m1.id, m2.id]));
        assert.deepEqual(
          await receiptOf(store, f, m1.id, 'bob'),
          receipt(m1.id, 'bob', T0, {
            delivered: T0 + SECOND,
            injected: T0 + 2 * SECOND,
            read: T0 + 2 * SECOND,
          }),
        );
        assert.deepEqual(
          await receiptOf(store, f, m2.id, 'bob'),
          receipt(m2.id, 'bob', T0, {
            delivered: T0 + 2 * SECOND,
            injected: T0 + 2 * SECOND,
            read: T0 + 2 * SECOND,
          }),
        );
        // Another recipient's receipt is its own.
        assert.deepEqual(await receiptOf(store, f, m1.id, 'carol'), receipt(m1.id, 'carol', T0));

        const acked = await advance(store, f, 'bob', [m1.id], 'acked', T0 + 3 * SECOND);
        assert.deepEqual(acked.changed, [m1.id]);
        assert.deepEqual(
          await receiptOf(store, f, m1.id, 'bob'),
          receipt(m1.id, 'bob', T0, {
            delivered: T0 + SECOND,
            injected: T0 + 2 * SECOND,
            read: T0 + 2 * SECOND,
            acked: T0 + 3 * SECOND,
          }),
        );
        assert.deepEqual(
          (await store.listEvents(f.room.id, before, 10)).map((e) => e.body.step),
          ['delivered', 'read', 'acked'],
        );
      });

      it('changes nothing and appends no event for steps already reached', async () => {
        const f = await createRoom(store);
        const m = (await send(store, f, 'alice', ['bob'])).message;
        await advance(store, f, 'bob', [m.id], 'read', T0 + SECOND);
        const before = await lastSeq(store, f);
        for (const step of ['delivered', 'injected', 'read'] as const) {
          const again = await advance(store, f, 'bob', [m.id], step, T0 + MINUTE);
          assert.deepEqual(again, { changed: [], event: null });
        }
        assert.equal(await lastSeq(store, f), before);
        assert.deepEqual(
          await receiptOf(store, f, m.id, 'bob'),
          receipt(m.id, 'bob', T0, {
            delivered: T0 + SECOND,
            injected: T0 + SECOND,
            read: T0 + SECOND,
          }),
        );
      });

      it('names in its one event only the ids that changed', async () => {
        const f = await createRoom(store);
        const m1 = (await send(store, f, 'alice', ['bob'])).message;
        const m2 = (await send(store, f, 'alice', ['bob'])).message;
        const m3 = (await send(store, f, 'alice', ['bob'])).message;
        await advance(store, f, 'bob', [m1.id], 'injected', T0 + SECOND);
        const before = await lastSeq(store, f);
        const result = await advance(
          store,
          f,
          'bob',
          [m1.id, m2.id, m3.id, m2.id],
          'injected',
          T0 + 2 * SECOND,
        );
        assert.deepEqual(sorted(result.changed), sorted([m2.id, m3.id]));
        assert.equal(result.changed.length, 2, 'a repeated id counts once');
        assert.deepEqual(
          sorted(result.event?.body.message_ids as string[]),
          sorted([m2.id, m3.id]),
        );
        assert.equal(await lastSeq(store, f), before + 1, 'exactly one event');
      });

      it("ignores ids that are not the agent's, and appends nothing when only those are given", async () => {
        const f = await createRoom(store);
        const g = await createRoom(store);
        const mine = (await send(store, f, 'alice', ['bob'])).message;
        const carols = (await send(store, f, 'alice', ['carol'])).message;
        const elsewhere = (await send(store, g, 'alice', ['bob'])).message;
        const before = await lastSeq(store, f);
        const none = await advance(
          store,
          f,
          'bob',
          [carols.id, elsewhere.id, 'msg_unknown'],
          'acked',
          T0 + SECOND,
        );
        assert.deepEqual(none, { changed: [], event: null });
        assert.equal(await lastSeq(store, f), before);
        assert.deepEqual(
          await receiptOf(store, f, carols.id, 'carol'),
          receipt(carols.id, 'carol', T0),
        );

        const some = await advance(
          store,
          f,
          'bob',
          [carols.id, mine.id, 'msg_unknown'],
          'acked',
          T0 + SECOND,
        );
        assert.deepEqual(some.changed, [mine.id]);
        assert.deepEqual(some.event?.body.message_ids, [mine.id]);
        assert.deepEqual(
          await receiptOf(store, f, carols.id, 'carol'),
          receipt(carols.id, 'carol', T0),
        );
        const inG = await store.receipts(g.room.id, elsewhere.id);
        assert.deepEqual(inG, [receipt(elsewhere.id, 'bob', T0)]);
      });

      it("with 'all', moves every message of the agent not acked yet", async () => {
        const f = await createRoom(store);
        const m1 = (await send(store, f, 'alice', ['bob'])).message;
        const m2 = (await send(store, f, 'alice', ['bob'])).message;
        const m3 = (await send(store, f, 'alice', ['bob'])).message;
        const carols = (await send(store, f, 'alice', ['carol'])).message;
        await advance(store, f, 'bob', [m1.id], 'acked', T0 + SECOND);
        await advance(store, f, 'bob', [m2.id], 'read', T0 + SECOND);
        const before = await lastSeq(store, f);

        const all = await advance(store, f, 'bob', 'all', 'acked', T0 + 2 * SECOND);
        assert.deepEqual(sorted(all.changed), sorted([m2.id, m3.id]));
        assert.deepEqual(sorted(all.event?.body.message_ids as string[]), sorted([m2.id, m3.id]));
        assert.equal(await lastSeq(store, f), before + 1);
        assert.equal((await receiptOf(store, f, m1.id, 'bob')).acked_at, iso(T0 + SECOND));
        assert.deepEqual(
          await receiptOf(store, f, m2.id, 'bob'),
          receipt(m2.id, 'bob', T0, {
            delivered: T0 + SECOND,
            injected: T0 + SECOND,
            read: T0 + SECOND,
            acked: T0 + 2 * SECOND,
          }),
        );
        assert.deepEqual(
          await receiptOf(store, f, carols.id, 'carol'),
          receipt(carols.id, 'carol', T0),
        );
        assert.deepEqual(
          await store.inbox(f.room.id, 'bob', { unread_only: false, limit: 10 }),
          [],
        );

        assert.deepEqual(await advance(store, f, 'bob', 'all', 'acked', T0 + MINUTE), {
          changed: [],
          event: null,
        });
        assert.equal(await lastSeq(store, f), before + 1);
      });

      it("with 'all' and a lower step, moves only the open messages below it", async () => {
        const f = await createRoom(store);
        const m1 = (await send(store, f, 'alice', ['bob'])).message;
        const m2 = (await send(store, f, 'alice', ['bob'])).message;
        await advance(store, f, 'bob', [m1.id], 'delivered', T0 + SECOND);
        const result = await advance(store, f, 'bob', 'all', 'delivered', T0 + 2 * SECOND);
        assert.deepEqual(result.changed, [m2.id]);
        assert.equal((await receiptOf(store, f, m1.id, 'bob')).delivered_at, iso(T0 + SECOND));
        assert.equal((await receiptOf(store, f, m2.id, 'bob')).delivered_at, iso(T0 + 2 * SECOND));
      });
    });
  });
}

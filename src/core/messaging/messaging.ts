// Messages between agents: sending with circuit breakers, replies, the inbox and the receipt
// ladder (stored, delivered, injected, read, acked).

import type { Call, RoomCall } from '../call.js';
import { createHash } from 'node:crypto';
import type { SendRequest, SendResponse, ShareRequest } from '../api-types.js';
import { assertAgentName } from '../presence/agent-input.js';
import { HuddleError } from '../errors.js';
import type { HubContext, Principal } from '../hub-context.js';
import type { Idempotency, MessageDraft } from '../store.js';
import { NOTE_MAX_BYTES, assertPageLimit, assertTextSize, assertWait } from '../limits.js';
import { timeOrderedId, type RandomSource } from '../random.js';
import { parseShare, shareBody } from './share-format.js';
import { closestNames } from '../suggest.js';
import {
  MESSAGE_KINDS,
  type Agent,
  type CodeRef,
  type InboxItem,
  type Message,
  type MessageKind,
  type Receipt,
  type ReceiptStep,
  type Room,
  type RoomEvent,
} from '../types.js';

export const MESSAGE_MAX_BYTES = NOTE_MAX_BYTES;
const THREAD_MAX_CHARS = 200;
const REFS_MAX = 50;
const SNIPPET_MAX_BYTES = 16 * 1024;
const PATH_MAX_CHARS = 1024;

function invalid(
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): HuddleError {
  return new HuddleError('invalid', code, message, { details });
}

function parseRefs(refs: CodeRef[] | undefined): CodeRef[] {
  const list = refs ?? [];
  if (list.length > REFS_MAX)
    throw invalid('invalid_refs', `At most ${REFS_MAX} refs per message.`, { field: 'refs' });
  return list.map((ref, i) => {
    const field = `refs.${i}`;
    if (ref.path.length === 0 || ref.path.length > PATH_MAX_CHARS) {
      throw invalid('invalid_refs', `${field}.path must have 1 to ${PATH_MAX_CHARS} characters.`, {
        field,
      });
    }
    // A path is shown to models on one line, outside the quoted body: no line breaks in it.
    if (/[\u0000-\u001f\u007f]/.test(ref.path)) {
      throw invalid(
        'invalid_refs',
        `${field}.path must not hold control characters (line breaks, tabs).`,
        {
          field,
        },
      );
    }
    for (const key of ['start_line', 'end_line'] as const) {
      const n = ref[key];
      if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
        throw invalid('invalid_refs', `${field}.${key} must be a positive integer.`, { field });
      }
    }
    if (
      ref.start_line !== undefined &&
      ref.end_line !== undefined &&
      ref.end_line < ref.start_line
    ) {
      throw invalid('invalid_refs', `${field}: end_line comes before start_line.`, { field });
    }
    if (ref.snippet !== undefined) assertTextSize('snippet', ref.snippet, SNIPPET_MAX_BYTES);
    if (ref.language !== undefined && !/^[A-Za-z0-9+#._-]{1,40}$/.test(ref.language)) {
      throw invalid('invalid_refs', `${field}.language must be 1 to 40 letters, digits or +#._-.`, {
        field,
      });
    }
    return { ...ref };
  });
}

/** A message ready for the store: its id, thread and time filled in. */
export function draftMessage(
  random: RandomSource,
  at: number,
  m: Pick<MessageDraft, 'from' | 'to' | 'recipients' | 'kind' | 'body'> & {
    thread?: string | undefined;
    reply_to?: string | undefined;
    refs?: CodeRef[];
    priority?: Message['priority'] | undefined;
    depth?: number;
  },
): MessageDraft {
  // Ordered by time: messages and receipts are keyed by it, and appending is cheaper than
  // inserting all over their indexes.
  const id = timeOrderedId(random, 'msg', at);
  return {
    id,
    from: m.from,
    to: m.to,
    recipients: m.recipients,
    kind: m.kind,
    body: m.body,
    thread: m.thread ?? id,
    reply_to: m.reply_to ?? null,
    refs: m.refs ?? [],
    priority: m.priority ?? 'normal',
    depth: m.depth ?? 0,
    created_at: new Date(at).toISOString(),
  };
}

/** What the duplicate breaker compares: the body and the set of recipients. */
export function messageDigest(body: string, recipients: string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([body, [...recipients].sort()]))
    .digest('hex');
}

/** A send answered from its idempotency record: the message rides in its event. */
function replayedMessage(event: RoomEvent): SendResponse {
  return { message: event.body.message as Message, event };
}

export function createMessaging(ctx: HubContext) {
  const {
    store,
    clock,
    random,
    options,
    limits,
    draft,
    announce,
    actorOf,
    idempotency,
    enter,
    enterWrite,
    actingAgent,
    longPoll,
    enterAs,
  } = ctx;
  const breakers = options.messages;

  /** Resolves the addressing to recipient names, refusing unknown or retired names with suggestions. */
  async function resolveRecipients(
    room: Room,
    sender: Agent,
    to: string | string[],
    nobodyIsFine = false,
  ): Promise<string[]> {
    // The common case, one named live agent, needs one lookup rather than the whole list.
    if (typeof to === 'string' && to !== '*') {
      const one = await ctx.lookups.agent(room.id, to);
      if (one && one.status !== 'retired') return [to];
    }
    const agents = await store.listAgents(room.id);
    const live = agents.filter((a) => a.status !== 'retired').map((a) => a.name);
    if (to === '*') {
      const everyone = live.filter((name) => name !== sender.name);
      if (everyone.length === 0 && !nobodyIsFine) {
        throw new HuddleError(
          'conflict',
          'no_recipients',
          `Nobody else is in room "${room.name}" yet: "*" reaches no agent.`,
        );
      }
      return everyone;
    }
    const list = typeof to === 'string' ? [to] : [...new Set(to)];
    if (list.length === 0)
      throw invalid('invalid_recipients', 'to needs an agent name, a list of names, or "*".', {
        field: 'to',
      });
    if (list.length > breakers.max_recipients) {
      throw invalid(
        'too_many_recipients',
        `A message may name at most ${breakers.max_recipients} recipients; this one names ${list.length}. Send to "*" to reach everyone.`,
        { field: 'to', limit: breakers.max_recipients },
      );
    }
    for (const name of list) {
      if (name === '*')
        throw invalid('invalid_recipients', '"*" cannot be part of a list; send to "*" alone.', {
          field: 'to',
        });
      assertAgentName(name, 'to');
    }
    const unknown = list.filter((name) => !live.includes(name));
    if (unknown.length > 0) {
      const retired = unknown.filter((name) => agents.some((a) => a.name === name));
      const suggestions = Object.fromEntries(
        unknown.map((name) => [name, closestNames(name, live)]),
      );
      const hint = unknown
        .map((name) =>
          suggestions[name]!.length
            ? `${name} (did you mean ${suggestions[name]!.join(', ')}?)`
            : name,
        )
        .join(', ');
      throw new HuddleError(
        'not_found',
        'unknown_recipient',
        `No such agent in room "${room.name}": ${hint}${retired.length ? `; retired: ${retired.join(', ')}` : ''}. Nothing was sent. List agents with "huddle who ${room.name}".`,
        { details: { unknown, retired, suggestions } },
      );
    }
    return list;
  }

  /** Sends at once; see `prepare` for the checks. */
  async function send(
    p: Principal,
    room: Room,
    sender: Agent,
    input: SendRequest,
    idem: Idempotency | undefined,
    share = false,
  ): Promise<SendResponse> {
    return (await prepare(p, room, sender, input, idem, share))();
  }

  /**
   * Checks and drafts a message, and returns the function that hands it to the store: calling it
   * queues the write at once (synchronously), so messages prepared one after another and
   * committed as soon as each is ready keep their order in the room's log.
   */
  async function prepare(
    p: Principal,
    room: Room,
    sender: Agent,
    input: SendRequest,
    idem: Idempotency | undefined,
    share = false,
  ): Promise<() => Promise<SendResponse>> {
    const kind = (input.kind ?? 'chat') as MessageKind;
    if (!MESSAGE_KINDS.includes(kind)) {
      throw invalid('invalid_kind', `kind must be one of ${MESSAGE_KINDS.join(', ')}.`, {
        field: 'kind',
        allowed: [...MESSAGE_KINDS],
      });
    }
    if (input.body.trim() === '')
      throw invalid('empty_message', 'The message body is empty.', { field: 'body' });
    // A share's size was checked on its content; its body adds only a header and a fence.
    if (!share) assertTextSize('message', input.body, MESSAGE_MAX_BYTES, 'body');
    if (
      input.thread !== undefined &&
      (input.thread.length === 0 || input.thread.length > THREAD_MAX_CHARS)
    ) {
      throw invalid('invalid_thread', `thread must have 1 to ${THREAD_MAX_CHARS} characters.`, {
        field: 'thread',
      });
    }
    const refs = share ? (input.refs ?? []) : parseRefs(input.refs);

    let depth = 0;
    let thread = input.thread;
    if (input.reply_to !== undefined) {
      const parent = await store.getMessage(room.id, input.reply_to);
      if (!parent) {
        throw new HuddleError(
          'not_found',
          'message_not_found',
          `No message "${input.reply_to}" in room "${room.name}" to reply to.`,
          {
            details: { field: 'reply_to', message_id: input.reply_to },
          },
        );
      }
      // A human's message resets the chain; every reply between agents lengthens it.
      depth = sender.client === 'human' ? 0 : parent.depth + 1;
      thread ??= parent.thread;
      if (depth > breakers.max_reply_depth) {
        throw new HuddleError(
          'conflict',
          'reply_depth_exceeded',
          `This reply would be reply number ${depth} between agents in one chain; the limit is ${breakers.max_reply_depth}. Stop and ask a human, or start a new message without reply_to.`,
          { details: { depth, limit: breakers.max_reply_depth }, retryable: false },
        );
      }
    }

    const recipients = await resolveRecipients(room, sender, input.to, share);
    limits.agentSends.take(`${room.id}/${sender.name}`);
    const at = clock.now();
    const message = draftMessage(random, at, {
      from: sender.name,
      to: input.to,
      recipients,
      kind,
      body: input.body,
      thread,
      reply_to: input.reply_to,
      refs,
      priority: input.priority,
      depth,
    });
    const digest = messageDigest(input.body, recipients);
    return async () => {
      const result = await store.sendMessage(
        room.id,
        {
          message,
          at,
          digest,
          // An explicit idempotency key says the repeat is on purpose.
          ...(idem === undefined &&
            breakers.duplicate_window_seconds > 0 && {
              duplicate_window_seconds: breakers.duplicate_window_seconds,
            }),
          event: (m) => ({ ...draft(actorOf(p), 'message', { message: m }), ts: at }),
        },
        idem,
      );
      announce(result.event, room.id);
      return result;
    };
  }

  async function advance(
    room: Room,
    agent: string,
    ids: string[] | 'all',
    step: Exclude<ReceiptStep, 'stored'>,
    lazy = false,
  ) {
    const at = clock.now();
    const result = await store.advanceReceipts(
      room.id,
      agent,
      ids,
      step,
      at,
      (changed) =>
        draft(null, 'receipt', {
          agent,
          step,
          message_ids: changed,
          at: new Date(at).toISOString(),
        }),
      lazy,
    );
    if (result.event) announce(result.event, room.id);
    return result;
  }

  function assertIds(ids: string[]): void {
    if (ids.length === 0 || ids.length > 1000)
      throw invalid('invalid_ids', 'Give 1 to 1000 message ids.', { field: 'ids' });
  }

  /** Everything a send checks, up to the write: see `prepare`. */
  async function prepareSend(call: Call, input: SendRequest): Promise<() => Promise<SendResponse>> {
    const { principal: p, room: roomName, agent: agentName, key } = call;
    const idem = idempotency(p, key, 'message', { sender: agentName, input });
    // Agent sends count against agent_sends, not against the member's writes.
    const { room, replay } = await enterWrite(p, roomName, 'write', idem, false);
    const sender = await actingAgent(p, room, agentName);
    if (replay && 'event' in replay) {
      const replayed = replayedMessage(replay.event);
      return () => Promise.resolve(replayed);
    }
    return prepare(p, room, sender, input, idem);
  }

  return {
    /** Sends as `agentName`, which must be one of the caller's agents. */
    async sendMessage(call: Call, input: SendRequest): Promise<SendResponse> {
      return (await prepareSend(call, input))();
    },

    /**
     * `sendMessage` in two steps, for a transport that pipelines sends: the checks, then (by
     * calling the function it resolves to) the write, queued synchronously. Preparing sends one
     * after another and calling each function as soon as it arrives keeps them in order.
     */
    prepareSend,

    /**
     * Posts a file or a line range read by the client as a `context` message with its reference
     * (path, lines, language), to everyone else by default; it stays in the room's log even when
     * nobody else is there yet.
     */
    async shareSnippet(call: Call, input: ShareRequest): Promise<SendResponse> {
      const { principal: p, room: roomName, agent: agentName, key } = call;
      const ref = parseShare(input);
      const idem = idempotency(p, key, 'share', { sender: agentName, input });
      const { room, replay } = await enterWrite(p, roomName, 'write', idem, false);
      const sender = await actingAgent(p, room, agentName);
      if (replay && 'event' in replay) return replayedMessage(replay.event);
      return send(
        p,
        room,
        sender,
        { to: input.to ?? '*', kind: 'context', body: shareBody(input, ref), refs: [ref] },
        idem,
        true,
      );
    },

    /** Replies to a message in the agent's inbox: to its sender, in its thread; then acks it. */
    async reply(
      call: Call,
      messageId: string,
      input: { body: string; kind?: string | undefined },
    ): Promise<SendResponse> {
      const { principal: p, room: roomName, agent: agentName, key } = call;
      const idem = idempotency(p, key, 'reply', { sender: agentName, messageId, input });
      const { room, replay } = await enterWrite(p, roomName, 'write', idem, false);
      const sender = await actingAgent(p, room, agentName);
      if (replay && 'event' in replay) return replayedMessage(replay.event);
      const original = await store.getMessage(room.id, messageId);
      if (!original || !original.recipients.includes(agentName)) {
        throw new HuddleError(
          'not_found',
          'message_not_found',
          `No message "${messageId}" in the inbox of "${agentName}".`,
          {
            details: { message_id: messageId },
          },
        );
      }
      const result = await send(
        p,
        room,
        sender,
        { to: original.from, kind: input.kind, body: input.body, reply_to: messageId },
        idem,
      );
      await advance(room, agentName, [messageId], 'acked');
      return result;
    },

    /**
     * Unread messages (with `all`, also read ones not acked), changing nothing. With `wait`,
     * holds the request until one exists or the time runs out.
     */
    async peekInbox(
      call: Call,
      input: {
        limit?: number | undefined;
        all?: boolean | undefined;
        wait?: number | undefined;
      } = {},
    ): Promise<{ messages: InboxItem[] }> {
      const { principal: p, agent: agentName } = call;
      const { room } = await enterAs(call, null);
      const limit = input.limit ?? 50;
      assertPageLimit(limit);
      const wait = input.wait ?? 0;
      assertWait(wait);
      return {
        messages: await longPoll(p, room.id, wait, () =>
          store.inbox(room.id, agentName, { unread_only: !input.all, limit }),
        ),
      };
    },

    /**
     * Takes the agent's messages that no hook or channel has placed in a context yet, records them
     * `injected` and returns them: of concurrent callers, each message goes to exactly one, so a
     * message is never shown twice. With `wait`, holds the request until there is one or the
     * time runs out. Once `signal` aborts (the caller went away) nothing more is taken: a message
     * taken for nobody would count as shown.
     */
    async injectInbox(
      call: Call,
      input: { limit?: number | undefined; wait?: number | undefined } = {},
      signal?: AbortSignal,
    ): Promise<{ messages: InboxItem[] }> {
      const { principal: p, agent: agentName } = call;
      const { room } = await enterAs(call, null);
      const limit = input.limit ?? 20;
      assertPageLimit(limit);
      const wait = input.wait ?? 0;
      assertWait(wait);
      const take = async (): Promise<InboxItem[]> => {
        for (;;) {
          const items = await store.inbox(room.id, agentName, {
            unread_only: true,
            uninjected_only: true,
            limit,
          });
          if (items.length === 0) return [];
          const ids = items.map((i) => i.message.id);
          const taken = [...(await advance(room, agentName, ids, 'injected')).changed];
          // None taken: another caller took these first, so look again for any left.
          if (taken.length > 0)
            return store.inbox(room.id, agentName, {
              unread_only: false,
              limit: taken.length,
              ids: taken,
            });
        }
      };
      return { messages: await longPoll(p, room.id, wait, take, signal) };
    },

    /** Returns unread messages (or the given ones) and records them read. */
    async readInbox(
      call: Call,
      input: { limit?: number | undefined; ids?: string[] | undefined } = {},
    ): Promise<{ messages: InboxItem[] }> {
      const { agent: agentName } = call;
      const { room } = await enterAs(call, null);
      const limit = input.limit ?? 50;
      assertPageLimit(limit);
      if (input.ids) assertIds(input.ids);
      // Named messages are read whatever their number; otherwise a page of unread ones.
      const items = await store.inbox(room.id, agentName, {
        unread_only: !input.ids,
        limit: input.ids ? input.ids.length : limit,
        ...(input.ids && { ids: input.ids }),
      });
      if (items.length === 0) return { messages: [] };
      await advance(
        room,
        agentName,
        items.map((i) => i.message.id),
        'read',
      );
      const fresh = await store.inbox(room.id, agentName, {
        unread_only: false,
        limit: items.length,
        ids: items.map((i) => i.message.id),
      });
      return { messages: fresh };
    },

    /** Closes messages of the agent's inbox; `all` closes every one not acked yet. */
    async ackMessages(call: Call, ids: string[] | 'all'): Promise<{ acked: string[] }> {
      const { agent: agentName } = call;
      const { room } = await enterAs(call, null);
      if (ids !== 'all') assertIds(ids);
      return { acked: (await advance(room, agentName, ids, 'acked')).changed };
    },

    /** A client reports that it placed these messages in the agent's context. */
    async markInjected(call: Call, ids: string[]): Promise<{ injected: string[] }> {
      const { agent: agentName } = call;
      const { room } = await enterAs(call, null);
      assertIds(ids);
      return { injected: (await advance(room, agentName, ids, 'injected')).changed };
    },

    /** The gateway handed these messages to a live connection of the agent. */
    async markDelivered(room: Room, agentName: string, ids: string[]): Promise<string[]> {
      // A side effect of each delivery: it rides along with the next write rather than costing a
      // transaction (and a sync) of its own.
      return (await advance(room, agentName, ids, 'delivered', true)).changed;
    },

    async receipts(
      call: RoomCall,
      messageId: string,
    ): Promise<{ message: Message; receipts: Receipt[] }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      const message = await store.getMessage(room.id, messageId);
      if (!message) {
        throw new HuddleError(
          'not_found',
          'message_not_found',
          `No message "${messageId}" in room "${room.name}".`,
          {
            details: { message_id: messageId },
          },
        );
      }
      return { message, receipts: await store.receipts(room.id, messageId) };
    },
  };
}

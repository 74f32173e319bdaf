// Messages the hub sends on an agent's behalf when coordination changes something for others:
// a task unblocked or handed off. They skip the breakers meant for free-form chatter.

import type { HubContext, Principal } from '../hub-context.js';
import { draftMessage, messageDigest } from './messaging.js';
import type { CodeRef, Message, MessageKind, Room } from '../types.js';

export function createNotices(ctx: HubContext) {
  const { store, clock, random, draft, actorOf, announce } = ctx;

  return {
    /**
     * Sends `body` from `from` to those of `to` that are live agents other than the sender;
     * returns null when nobody is left to tell.
     */
    async notify(
      p: Principal,
      room: Room,
      from: string,
      to: Array<string | null>,
      kind: MessageKind,
      body: string,
      refs: CodeRef[] = [],
    ): Promise<Message | null> {
      const wanted = new Set(to.filter((name): name is string => !!name && name !== from));
      if (wanted.size === 0) return null;
      const live = (await store.listAgents(room.id))
        .filter((a) => a.status !== 'retired' && wanted.has(a.name))
        .map((a) => a.name);
      if (live.length === 0) return null;
      const at = clock.now();
      const message = draftMessage(random, at, {
        from,
        to: live.length === 1 ? live[0]! : live,
        recipients: live,
        kind,
        body,
        refs,
      });
      const sent = await store.sendMessage(room.id, {
        message,
        at,
        digest: messageDigest(body, live),
        event: (m) => ({ ...draft(actorOf(p), 'message', { message: m }), ts: at }),
      });
      announce(sent.event, room.id);
      return sent.message;
    },
  };
}

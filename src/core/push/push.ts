// Web Push: the hub's VAPID keys, the subscriptions a person keeps per room, and who among the
// subscribed is told about a committed event (the server's notifier does the sending).

import type { RoomCall } from '../call.js';
import { iso } from '../clock.js';
import { HuddleError } from '../errors.js';
import type { HubContext, Principal } from '../hub-context.js';
import {
  DEFAULT_PUSH_ENDPOINTS,
  PUSH_SUBSCRIPTIONS_PER_MEMBER,
  parsePushEndpoint,
  parsePushSubscription,
  type PushSubscriptionInput,
} from './push-input.js';
import {
  approvalNotification,
  messageNotification,
  waitingNotification,
  type PushNotification,
} from './push-notifications.js';
import { hasScope } from '../members/scopes.js';
import type { PushSubscriptionRecord } from '../store.js';
import type { Member, Message, RoomEvent } from '../types.js';

/** An ECDSA P-256 key pair for VAPID, each key base64url without padding. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/** One notification for one subscription. */
export interface PushDelivery {
  subscription: PushSubscriptionRecord;
  notification: PushNotification;
}

const VAPID_SETTING = 'push.vapid_keys';

/** The event types that may notify someone; the notifier skips every other event unread. */
export function mayNotify(event: RoomEvent): boolean {
  return (
    (event.type === 'agent.status' && event.body.to === 'waiting') ||
    event.type === 'approval.requested' ||
    event.type === 'message' ||
    event.type === 'member.revoked'
  );
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;

export function createPush(ctx: HubContext) {
  const { store, clock, enter } = ctx;
  const allowed = ctx.options.push?.endpoints ?? DEFAULT_PUSH_ENDPOINTS;

  function personOnly(p: Principal): void {
    if (p.member.kind !== 'person') {
      throw new HuddleError(
        'forbidden',
        'person_only',
        'Push notifications are for people: subscribe from the cockpit in a browser signed in to this room. This token belongs to a device.',
        { details: { kind: p.member.kind } },
      );
    }
  }

  /** Who of the room's subscribers a committed event concerns, and what each is told. */
  async function deliveries(roomId: string, event: RoomEvent): Promise<PushDelivery[]> {
    const subs = await store.listPushSubscriptions(roomId);
    if (subs.length === 0) return [];
    const members = new Map((await store.listMembers(roomId)).map((m) => [m.id, m]));
    // A revoked member's browsers hear nothing more from the room.
    const live: Array<{ sub: PushSubscriptionRecord; member: Member }> = [];
    const gone = new Set<string>();
    for (const sub of subs) {
      const member = members.get(sub.member_id);
      if (!member || member.revoked_at !== null) gone.add(sub.member_id);
      else if (member.kind === 'person') live.push({ sub, member });
    }
    for (const memberId of gone) await store.deleteMemberPushSubscriptions(roomId, memberId);

    const room = event.room;
    const to = (pick: (m: Member) => boolean, n: PushNotification) =>
      live
        .filter(({ member }) => pick(member))
        .map(({ sub }) => ({ subscription: sub, notification: n }));

    switch (event.type) {
      case 'agent.status': {
        const name = text(event.body.agent);
        if (!name) return [];
        // A person's own agent waits for nobody.
        if ((await store.getAgent(roomId, name))?.client === 'human') return [];
        return to(() => true, waitingNotification(room, name));
      }
      case 'approval.requested': {
        const approval = (event.body.approval ?? {}) as Record<string, unknown>;
        const id = text(approval.id);
        const agent = text(approval.agent);
        const tool = text(approval.tool);
        if (!id || !agent || !tool) return [];
        const detail = text(approval.reason) ?? text(approval.input_preview);
        const request = { id, agent, tool, detail };
        return to((m) => hasScope(m.scopes, 'approve'), approvalNotification(room, request));
      }
      case 'message': {
        const message = event.body.message as Message | undefined;
        if (!message || !Array.isArray(message.recipients)) return [];
        if (message.to === '*' && message.priority !== 'urgent') return [];
        const people = new Set<string>();
        for (const name of message.recipients) {
          const agent = await store.getAgent(roomId, name);
          if (agent?.client === 'human') people.add(agent.member_id);
        }
        // Nobody is told about a message their own agent sent.
        const sender = await store.getAgent(roomId, message.from);
        if (sender) people.delete(sender.member_id);
        if (people.size === 0) return [];
        return to((m) => people.has(m.id), messageNotification(room, message));
      }
      default:
        return [];
    }
  }

  return {
    /** The hub's VAPID keys, made on first need and kept in the store for every hub sharing it. */
    async vapidKeys(generate: () => VapidKeys): Promise<VapidKeys> {
      const stored = await store.hubSetting(VAPID_SETTING, () => JSON.stringify(generate()));
      return JSON.parse(stored) as VapidKeys;
    },

    /** Subscribes the caller's browser to the room's notifications (or refreshes its keys). */
    async subscribePush(
      call: RoomCall,
      input: PushSubscriptionInput,
    ): Promise<{ subscribed: true; room_id: string }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read', true);
      personOnly(p);
      const parsed = parsePushSubscription(input, allowed);
      await store.putPushSubscription(
        { ...parsed, room_id: room.id, member_id: p.member.id, created_at: clock.now() },
        PUSH_SUBSCRIPTIONS_PER_MEMBER,
      );
      return { subscribed: true, room_id: room.id };
    },

    async unsubscribePush(call: RoomCall, endpoint: string): Promise<{ unsubscribed: true }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read', true);
      parsePushEndpoint(endpoint, 'any');
      if (!(await store.deletePushSubscription(room.id, p.member.id, endpoint))) {
        throw new HuddleError(
          'not_found',
          'push_subscription_not_found',
          'This member has no push subscription with that endpoint in the room. List them with GET .../push.',
          { details: { field: 'endpoint' } },
        );
      }
      return { unsubscribed: true };
    },

    /** The caller's subscriptions in the room: endpoints only, never the keys. */
    async listPushSubscriptions(
      call: RoomCall,
    ): Promise<{ subscriptions: Array<{ endpoint: string; created_at: string }> }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      const subs = await store.listPushSubscriptions(room.id, p.member.id);
      return {
        subscriptions: subs.map((s) => ({ endpoint: s.endpoint, created_at: iso(s.created_at) })),
      };
    },

    // For the push notifier.

    /** The rooms that have subscriptions, to follow from the start. */
    pushRoomIds(): Promise<string[]> {
      return store.pushRoomIds();
    },

    /**
     * The notifications a committed event of the room causes, one per subscription concerned;
     * a `member.revoked` event forgets that member's subscriptions instead.
     */
    async pushDeliveries(roomId: string, event: RoomEvent): Promise<PushDelivery[]> {
      if (!mayNotify(event)) return [];
      if (event.type === 'member.revoked') {
        const memberId = text(event.body.member_id);
        if (memberId) await store.deleteMemberPushSubscriptions(roomId, memberId);
        return [];
      }
      return deliveries(roomId, event);
    },

    /** Forgets a subscription the push service no longer knows (404 or 410). */
    async dropPushSubscription(sub: PushSubscriptionRecord): Promise<void> {
      await store.deletePushSubscription(sub.room_id, sub.member_id, sub.endpoint);
    },
  };
}

// The Store slice of hub-wide settings and Web Push subscriptions. None of these writes appends
// an event: subscriptions are a person's own devices, not the room's activity.

import type { PushSubscriptionRecord } from '../store.js';

export interface PushStore {
  /**
   * The hub-wide setting `key`. When there is none, stores `make()` first; of concurrent first
   * calls, from this process or another hub on the same database, every one gets the value that
   * was stored first.
   */
  hubSetting(key: string, make: () => string): Promise<string>;

  /**
   * Stores a subscription, or replaces the keys of the member's subscription with the same
   * endpoint (`created` false). Fails with `member_not_found`, `member_revoked`, or
   * `too_many_push_subscriptions` when the member already has `max` other endpoints; checked in
   * the same transaction.
   */
  putPushSubscription(sub: PushSubscriptionRecord, max: number): Promise<{ created: boolean }>;

  /** Deletes one subscription; false when there was none. */
  deletePushSubscription(roomId: string, memberId: string, endpoint: string): Promise<boolean>;

  /** Deletes every subscription of a member; returns how many there were. */
  deleteMemberPushSubscriptions(roomId: string, memberId: string): Promise<number>;

  /** The room's subscriptions (only `memberId`'s when given), oldest first. */
  listPushSubscriptions(roomId: string, memberId?: string): Promise<PushSubscriptionRecord[]>;

  /** The ids of the rooms that have at least one subscription. */
  pushRoomIds(): Promise<string[]>;
}

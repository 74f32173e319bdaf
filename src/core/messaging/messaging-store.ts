// The Store slice of messages and their receipts.

import type { EventDraft, InboxItem, Message, Receipt, ReceiptStep, RoomEvent } from '../types.js';
import type { Idempotency, MessageDraft } from '../store.js';

export interface MessagingStore {
  /**
   * Stores a message with a `stored` receipt for each recipient and appends its `message`
   * event, atomically. With `duplicate_window_seconds` set, fails with `duplicate_message` when
   * the same sender stored a message with the same `digest` within that window before `at`.
   */
  sendMessage(
    roomId: string,
    input: {
      message: MessageDraft;
      at: number;
      digest: string;
      duplicate_window_seconds?: number;
      event: (m: Message) => EventDraft;
    },
    idem?: Idempotency,
  ): Promise<{ message: Message; event: RoomEvent }>;

  getMessage(roomId: string, id: string): Promise<Message | null>;

  /**
   * The agent's messages that are not acked, oldest first, at most `limit`; with `unread_only`,
   * only those not read either; with `uninjected_only`, only those not injected (nor read) yet;
   * with `ids`, only those.
   */
  inbox(
    roomId: string,
    agent: string,
    options: { unread_only: boolean; uninjected_only?: boolean; limit: number; ids?: string[] },
  ): Promise<InboxItem[]>;

  /** How many of the agent's messages are not read, and how many of those not injected either. */
  inboxCounts(roomId: string, agent: string): Promise<{ unread: number; uninjected: number }>;

  /**
   * Moves the agent's receipts for `ids` (or for every message not acked yet, with 'all') up to
   * `step`, filling earlier steps still empty with the same time: a message cannot be read before
   * it was delivered. Steps already reached keep their first time. Appends one `receipt` event
   * naming the messages that changed, or nothing when none did. Ids that are not the agent's are
   * ignored and not returned. With `lazy` the store may hold the change back for a few
   * milliseconds so that it shares a transaction with the next write rather than starting its
   * own (for `delivered`, recorded as a side effect of each delivery); it is as durable once the
   * promise resolves.
   */
  advanceReceipts(
    roomId: string,
    agent: string,
    ids: string[] | 'all',
    step: Exclude<ReceiptStep, 'stored'>,
    at: number,
    event: (changed: string[]) => EventDraft,
    lazy?: boolean,
  ): Promise<{ changed: string[]; event: RoomEvent | null }>;

  /** The receipt of every recipient of a message. */
  receipts(roomId: string, messageId: string): Promise<Receipt[]>;
}

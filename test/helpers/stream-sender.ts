// A pipelined sender on /v1/stream: keeps many `send` frames in flight on one connection without
// waiting for each `sent`, and tells which sends were acknowledged before the connection ended.

import WebSocket from 'ws';
import type { Message } from '../../src/core/types.js';

/** One message to send, with the idempotency key that makes a retry of it safe. */
export interface SendItem {
  room: string;
  agent: string;
  to: string;
  body: string;
  key: string;
}

/** A send that was not acknowledged: an `error` frame, or the connection ended before its answer. */
export class SendFailed extends Error {
  constructor(
    /** The hub's error code, or `connection_lost` when no answer came. */
    readonly code: string,
    readonly item: SendItem,
  ) {
    super(`send ${item.key}: ${code}`);
  }
}

export interface StreamSender {
  readonly ws: WebSocket;
  /** Sends written and not answered yet. */
  readonly outstanding: number;
  /** Answers (`sent` or `error`) that arrived in another order than their frames were written. */
  readonly outOfOrder: number;
  readonly isOpen: boolean;
  /** Resolves when the connection has ended, with its close code. */
  readonly ended: Promise<number>;
  /** Writes the frame now; resolves with the stored message on `sent`, rejects with SendFailed. */
  send(item: SendItem): Promise<Message>;
  /** Writes any other client frame (subscribe, injected, ...); its answer goes to `onFrame`. */
  frame(frame: Record<string, unknown>): void;
  /**
   * Resolves once fewer than `window` sends are outstanding, or the connection ended. For one
   * caller that sends after each slot, as pump() does; concurrent callers could overfill it.
   */
  slot(): Promise<void>;
  /** Cuts the connection without a close frame, as a crash or a dropped network would. */
  terminate(): void;
  close(): void;
}

interface Pending {
  item: SendItem;
  resolve(m: Message): void;
  reject(e: SendFailed): void;
}

/**
 * Opens a stream connection with the token at the upgrade; `window` caps the sends in flight.
 * `onFrame` sees every frame the hub sends (events, answers to other frames) as parsed JSON.
 */
export function openSender(
  url: string,
  token: string,
  window = 64,
  onFrame?: (frame: Record<string, unknown>) => void,
): Promise<StreamSender> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/v1/stream', {
    headers: { authorization: `Bearer ${token}` },
  });
  // Answers come back by ref; a Map keeps insertion order, so its first key is the oldest send.
  const pending = new Map<string, Pending>();
  const waiters: Array<() => void> = [];
  let next = 0;
  let outOfOrder = 0;
  let open = false;
  const wake = () => {
    while (waiters.length > 0 && (pending.size < window || !open)) waiters.shift()!();
  };
  const ended = new Promise<number>((resolve) =>
    ws.once('close', (code) => {
      open = false;
      for (const p of pending.values()) p.reject(new SendFailed('connection_lost', p.item));
      pending.clear();
      wake();
      resolve(code);
    }),
  );
  // A refused or cut upgrade also ends in 'close'; the error itself needs no handling here.
  ws.on('error', () => {});
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as {
      type: string;
      ref?: string;
      code?: string;
      message?: Message;
    };
    onFrame?.(frame);
    if (frame.type !== 'sent' && frame.type !== 'error') return;
    const p = frame.ref === undefined ? undefined : pending.get(frame.ref);
    if (!p) return;
    if (pending.keys().next().value !== frame.ref) outOfOrder++;
    pending.delete(frame.ref!);
    if (frame.type === 'sent') p.resolve(frame.message!);
    else p.reject(new SendFailed(frame.code ?? 'unknown', p.item));
    wake();
  });
  const sender: StreamSender = {
    ws,
    get outstanding() {
      return pending.size;
    },
    get outOfOrder() {
      return outOfOrder;
    },
    get isOpen() {
      return open;
    },
    ended,
    send(item) {
      if (!open) return Promise.reject(new SendFailed('connection_lost', item));
      const ref = `r${next++}`;
      return new Promise<Message>((resolve, reject) => {
        pending.set(ref, { item, resolve, reject });
        ws.send(
          JSON.stringify({
            type: 'send',
            ref,
            room: item.room,
            agent: item.agent,
            message: { to: item.to, body: item.body },
            idempotency_key: item.key,
          }),
        );
      });
    },
    frame(frame) {
      if (open) ws.send(JSON.stringify(frame));
    },
    slot() {
      if (pending.size < window || !open) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    terminate: () => ws.terminate(),
    close: () => ws.close(),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      open = true;
      resolve(sender);
    });
    ended.then((code) =>
      reject(new Error(`the stream connection closed (${code}) before opening`)),
    );
  });
}

export interface PumpResult {
  /** The stored message of every send whose `sent` arrived, by key. */
  acked: Map<string, Message>;
  /** Sends written whose answer never came: each may or may not have been stored. */
  inDoubt: SendItem[];
  /** Sends refused with an `error` frame, with the hub's code. */
  refused: SendFailed[];
}

/**
 * Sends the items through `sender`, keeping its window full, until all are answered or the
 * connection ends (`items` may be endless then). `onAck` runs after each acknowledgement (a place to kill a hub at random).
 */
export async function pump(
  sender: StreamSender,
  items: Iterable<SendItem>,
  onAck?: (message: Message, item: SendItem) => void,
): Promise<PumpResult> {
  const result: PumpResult = { acked: new Map(), inDoubt: [], refused: [] };
  const answers: Array<Promise<void>> = [];
  for (const item of items) {
    await sender.slot();
    // The items left were never written; the caller knows them as neither acked nor in doubt.
    if (!sender.isOpen) break;
    answers.push(
      sender.send(item).then(
        (message) => {
          result.acked.set(item.key, message);
          onAck?.(message, item);
        },
        (err: SendFailed) => {
          if (err.code === 'connection_lost') result.inDoubt.push(item);
          else result.refused.push(err);
        },
      ),
    );
  }
  await Promise.all(answers);
  return result;
}

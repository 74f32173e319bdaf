// A stream client: follows rooms over the WebSocket at /v1/stream and resumes from its cursor
// after a disconnect, so the caller sees every event once, in order.

import WebSocket from 'ws';
import type { RoomEvent } from '../core/types.js';

/** Close codes after which reconnecting and resuming is the right thing to do. */
const RESUMABLE = new Set([1001, 1006, 1011, 1012, 1013, 4008]);

export interface StreamSubscription {
  room: string;
  /** The seq of the last event already seen. */
  after: number;
  /** Speak for this agent: its presence follows the connection, and messages to it are marked delivered. */
  agent?: string | undefined;
}

export interface StreamClientOptions {
  url: string;
  token: string;
  subscriptions: StreamSubscription[];
  onEvent: (event: RoomEvent) => void;
  /** Protocol errors the hub reported, and connection state changes. */
  onNotice?: (notice: { type: string; code?: string; message?: string }) => void;
  /** Gives up after this many failed reconnections in a row; default: never. */
  maxRetries?: number;
}

export interface StreamClient {
  /** Resolves when the stream ends for good (close() or a close that cannot be resumed). */
  readonly done: Promise<{ code: number; reason: string }>;
  /** Sends a frame on the current connection (presence, injected). */
  send(frame: Record<string, unknown>): void;
  close(): void;
}

export function connectStream(options: StreamClientOptions): StreamClient {
  const cursors = new Map(options.subscriptions.map((s) => [s.room, s.after]));
  const wsUrl = options.url.replace(/^http/, 'ws').replace(/\/+$/, '') + '/v1/stream';
  let ws: WebSocket | undefined;
  let stopped = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let finish!: (result: { code: number; reason: string }) => void;
  const done = new Promise<{ code: number; reason: string }>((resolve) => (finish = resolve));

  function open() {
    if (stopped) return;
    const socket = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${options.token}` } });
    ws = socket;
    socket.on('open', () => {
      failures = 0;
      for (const s of options.subscriptions) {
        socket.send(
          JSON.stringify({
            type: 'subscribe',
            room: s.room,
            after: cursors.get(s.room) ?? s.after,
            agent: s.agent,
          }),
        );
      }
    });
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as {
        type: string;
        event?: RoomEvent;
        code?: string;
        message?: string;
      };
      if (frame.type === 'event' && frame.event) {
        const event = frame.event;
        if (event.seq <= (cursors.get(event.room) ?? 0)) return;
        cursors.set(event.room, event.seq);
        options.onEvent(event);
      } else {
        options.onNotice?.(frame);
      }
    });
    socket.on('error', () => {
      // 'close' follows and decides what to do
    });
    socket.on('close', (code, reasonBuffer) => {
      const reason = reasonBuffer.toString();
      if (stopped) return finish({ code, reason });
      if (
        !RESUMABLE.has(code) ||
        (options.maxRetries !== undefined && failures >= options.maxRetries)
      ) {
        return finish({ code, reason });
      }
      failures++;
      options.onNotice?.({
        type: 'reconnecting',
        message: `connection closed (${code}${reason ? `: ${reason}` : ''}); resuming`,
      });
      retry = setTimeout(open, Math.min(5000, 100 * 2 ** Math.min(failures, 6)));
    });
  }
  open();

  return {
    done,
    send(frame) {
      if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    },
    close() {
      stopped = true;
      clearTimeout(retry);
      ws?.close(1000);
      if (!ws || ws.readyState === WebSocket.CLOSED) finish({ code: 1000, reason: '' });
    },
  };
}

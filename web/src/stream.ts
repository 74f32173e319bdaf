// The cockpit's one WebSocket: authenticates with the session's CSRF token, follows each room
// from its cursor, and after any drop reconnects with backoff and resumes from that cursor.

import type { SendRequest } from '../../src/core/api-types.js';
import type { Message, RoomEvent } from '../../src/core/types.js';
import { getCsrf } from './api.js';

export interface StreamHandlers {
  /** Every event of a followed room, at most once per seq, in seq order per room. */
  onEvent(event: RoomEvent): void;
  /** The cursor to resume a room from (the seq of the last event applied). */
  cursor(room: string): number;
  /** The person's agent in a room, bound so it stays online and gets delivered receipts. */
  agent(room: string): string | undefined;
  onState(state: StreamState): void;
  /** A frame error that answered no request (a room deleted, a subscription refused). */
  onError(code: string, message: string, room?: string): void;
  /** The session is no longer valid (closed 4001 or auth refused). */
  onUnauthenticated(): void;
}

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'offline';

interface Pending {
  resolve(frame: Record<string, unknown>): void;
  reject(err: StreamError): void;
}

export class StreamError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface Stream {
  follow(room: string): void;
  unfollow(room: string): void;
  send(room: string, agent: string, message: SendRequest): Promise<Message>;
  /** Closes the socket as if the network dropped it; the stream reconnects by itself. */
  drop(): void;
  close(): void;
  readonly connected: boolean;
}

export function createStream(h: StreamHandlers): Stream {
  const rooms = new Set<string>();
  const pending = new Map<string, Pending>();
  let ws: WebSocket | null = null;
  let authed = false;
  let closed = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let nextRef = 1;
  const decoder = new TextDecoder();

  const frame = (f: Record<string, unknown>): void => {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(f));
  };

  const subscribe = (room: string): void => {
    const agent = h.agent(room);
    frame({
      type: 'subscribe',
      room,
      after: h.cursor(room),
      ...(agent ? { agent } : {}),
      ref: `sub:${room}`,
    });
  };

  const connect = (): void => {
    if (closed) return;
    h.onState(attempt === 0 ? 'connecting' : 'reconnecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/stream`;
    const sock = new WebSocket(url);
    // The hub may send event frames as binary WebSocket frames holding the same JSON text.
    sock.binaryType = 'arraybuffer';
    ws = sock;
    authed = false;
    sock.onopen = () => {
      sock.send(JSON.stringify({ type: 'auth', csrf: getCsrf() ?? '', ref: 'auth' }));
    };
    sock.onmessage = (msg) => {
      if (ws !== sock) return;
      let f: Record<string, unknown>;
      try {
        const text =
          typeof msg.data === 'string' ? msg.data : decoder.decode(msg.data as ArrayBuffer);
        f = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      const ref = typeof f.ref === 'string' ? f.ref : undefined;
      switch (f.type) {
        case 'authenticated':
          authed = true;
          attempt = 0;
          h.onState('live');
          for (const room of rooms) subscribe(room);
          return;
        case 'event':
          h.onEvent(f.event as RoomEvent);
          return;
        case 'error': {
          const code = String(f.code);
          const message = String(f.message);
          if (ref && pending.has(ref)) {
            pending.get(ref)!.reject(new StreamError(code, message, f.details as never));
            pending.delete(ref);
          } else if (ref === 'auth') {
            h.onUnauthenticated();
          } else {
            const room = ref?.startsWith('sub:') ? ref.slice(4) : undefined;
            h.onError(code, message, room ?? (f.details as { room?: string })?.room);
          }
          return;
        }
        default:
          if (ref && pending.has(ref)) {
            pending.get(ref)!.resolve(f);
            pending.delete(ref);
          }
      }
    };
    sock.onclose = (ev) => {
      if (ws !== sock) return;
      ws = null;
      authed = false;
      for (const p of pending.values())
        p.reject(new StreamError('disconnected', 'The connection to the hub dropped.'));
      pending.clear();
      if (closed) return;
      if (ev.code === 4001) {
        h.onState('offline');
        h.onUnauthenticated();
        return;
      }
      attempt++;
      h.onState('reconnecting');
      const delay =
        Math.min(10_000, 300 * 2 ** Math.min(attempt - 1, 6)) * (0.75 + Math.random() / 2);
      timer = setTimeout(connect, delay);
    };
  };

  const onOnline = (): void => {
    if (!ws && !closed) {
      clearTimeout(timer);
      connect();
    }
  };
  window.addEventListener('online', onOnline);
  connect();

  return {
    follow(room) {
      if (rooms.has(room)) return;
      rooms.add(room);
      if (authed) subscribe(room);
    },
    unfollow(room) {
      if (!rooms.delete(room)) return;
      if (authed) frame({ type: 'unsubscribe', room });
    },
    send(room, agent, message) {
      return new Promise((resolve, reject) => {
        if (!ws || !authed) {
          reject(new StreamError('disconnected', 'Not connected to the hub.'));
          return;
        }
        const ref = `send:${nextRef++}`;
        pending.set(ref, {
          resolve: (f) => resolve(f.message as Message),
          reject,
        });
        frame({ type: 'send', room, agent, message, ref });
      });
    },
    drop() {
      ws?.close(4000, 'dropped by the page');
      if (ws) ws.onclose?.(new CloseEvent('close', { code: 1006 }));
    },
    close() {
      closed = true;
      clearTimeout(timer);
      window.removeEventListener('online', onOnline);
      ws?.close(1000);
      ws = null;
    },
    get connected() {
      return authed;
    },
  };
}

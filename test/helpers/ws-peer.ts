// A WebSocket client of /v1/stream for tests that send it anything: it keeps every frame and how
// the connection ended, and waits on them with a deadline instead of sleeping.

import WebSocket from 'ws';

export type Frame = Record<string, unknown>;

export interface WsPeer {
  ws: WebSocket;
  /** Every frame received, parsed; a frame that is not a JSON object is kept as `{ unparsed }`. */
  frames: Frame[];
  /** Set once the connection closed: the close code and reason the client saw. */
  closed: { code: number; reason: string } | null;
  /** Resolves with the first frame from index `from` that `match` accepts, or null on close. */
  until(match: (f: Frame) => boolean, from?: number, timeoutMs?: number): Promise<Frame | null>;
  close(): Promise<void>;
}

export interface WsOptions {
  headers?: Record<string, string>;
  origin?: string;
}

/** Opens a connection to `url` and resolves once it is open. */
export function openPeer(url: string, options: WsOptions = {}): Promise<WsPeer> {
  const ws = new WebSocket(url, {
    headers: options.headers,
    ...(options.origin !== undefined && { origin: options.origin }),
  });
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  const peer: WsPeer = {
    ws,
    frames: [],
    closed: null,
    until(match, from = 0, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = peer.frames.slice(from).find(match);
          if (found || peer.closed) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found ?? null);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching frame within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      if (peer.closed) return Promise.resolve();
      return new Promise((resolve) => {
        ws.once('close', () => resolve());
        ws.close();
      });
    },
  };
  ws.on('message', (data) => {
    const text = data.toString();
    let frame: Frame;
    try {
      const parsed: unknown = JSON.parse(text);
      frame =
        parsed && typeof parsed === 'object' && !Array.isArray(parsed)
          ? (parsed as Frame)
          : { unparsed: text };
    } catch {
      frame = { unparsed: text };
    }
    peer.frames.push(frame);
    wake();
  });
  // After the open, a socket error ends in a close, which is what the tests look at.
  ws.on('error', () => {});
  ws.on('close', (code, reason) => {
    peer.closed = { code, reason: reason.toString() };
    wake();
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(peer));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused with ${res.statusCode}`)),
    );
  });
}

// Connection time limits, so silent or idle sockets cannot hold the hub's file descriptors.

import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionTimeouts {
  /** Time to send a complete request head, from the connection's opening or a request's start. */
  headersMs: number;
  /** How long a kept-alive connection may sit idle between requests. */
  keepAliveMs: number;
}

/** The options to create the server with; the checking interval cannot be changed later. */
export function serverTimeoutOptions(t: ConnectionTimeouts) {
  return {
    headersTimeout: t.headersMs,
    // Node checks its headers timeout on this interval (30 s by default).
    connectionsCheckingInterval: Math.min(1000, t.headersMs),
  };
}

/**
 * Node times out a request head only once its first byte has arrived, and keeps a connection
 * that sends nothing at all open forever. This closes one that has not completed a request head
 * (HTTP or WebSocket upgrade) within `headersMs` of opening; after its first request, Node's
 * own keep-alive and headers timeouts take over.
 */
export function applyConnectionTimeouts(server: Server, t: ConnectionTimeouts): void {
  server.keepAliveTimeout = t.keepAliveMs;
  const pending = new WeakMap<Socket, NodeJS.Timeout>();
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), t.headersMs);
    timer.unref();
    pending.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  const started = (req: IncomingMessage) => {
    const timer = pending.get(req.socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    pending.delete(req.socket);
  };
  server.on('request', started);
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    started(req);
    // Listening for upgrades makes Node hand them over: with no gateway left to answer, close.
    if (server.listenerCount('upgrade') === 1) socket.destroy();
  });
}

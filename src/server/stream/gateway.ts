// The WebSocket gateway at /v1/stream: authenticates, subscribes connections to room feeds,
// marks messages delivered to their agents, keeps presence, and sheds slow or dead connections.

import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { HuddleError, isHuddleError } from '../../core/errors.js';
import type { Hub, Principal } from '../../core/hub.js';
import type { Message, Room, RoomEvent } from '../../core/types.js';
import { edgePolicy, edgeRefusal, type EdgePolicy } from '../edge-guard.js';
import { toHttpError } from '../http-errors.js';
import type { Logger } from '../logger.js';
import { CLOSE } from './close-codes.js';
import { SESSION_COOKIE, readCookie } from '../web-auth.js';
import type { SessionKeys } from '../../core/members/web-sessions.js';
import { MAX_FRAME_BYTES, parseFrame, type ClientFrame } from './frames.js';
import { createRoomFeed, type FeedSubscriber, type RoomFeed } from './room-feed.js';

export interface GatewayOptions {
  heartbeatMs: number;
  bufferLimitBytes: number;
  /** How long a connection may stay without a credential. */
  authTimeoutMs?: number;
  /** The host names and origins the hub answers to; by default loopback names only. */
  edge?: EdgePolicy;
}

export interface Gateway {
  readonly connections: number;
  /** Closes every connection with 1001 (resumable) and stops accepting new ones. */
  close(): Promise<void>;
}

interface Subscription extends FeedSubscriber {
  room: Room;
  principal: Principal;
  agent: string | null;
  /** For a subscription bound to an agent: its id in the store's live connections. */
  connectionId: string | null;
}

interface Connection {
  ws: WebSocket;
  principal: Principal | null;
  /** The browser session cookie sent with the upgrade, if any. */
  cookie: string | undefined;
  /** Set by an `auth` frame with `csrf`: the connection speaks for that browser session. */
  web: SessionKeys | null;
  subs: Map<string, Subscription>;
  alive: boolean;
  /** Set once the socket closed: frames still queued are dropped. */
  closed: boolean;
  /** Frames received and not answered yet. */
  inFlight: number;
  /** Whether the hub stopped reading the socket until it catches up (back-pressure). */
  paused: boolean;
}

/** What handling a frame comes to: the reply to send, in frame order, and maybe a close. */
interface Outcome {
  reply: string | null;
  close?: { code: number; reason: string };
}

/**
 * Frames of one connection in flight at most: past it the hub stops reading the socket until
 * replies bring it down to `RESUME_AT`, so a fast sender is slowed by TCP, never disconnected.
 */
const PAUSE_AT = 256;
const RESUME_AT = 64;

/** Connections pinged at a time in a heartbeat round; the slices of a round are spread out. */
const HEARTBEAT_SLICE = 64;

const STREAM_PATH = '/v1/stream';

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Refuses an upgrade the REST API would refuse too, with the same error body. */
function refuse(socket: Duplex, err: HuddleError): void {
  const { status, body } = toHttpError(err);
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
  );
}

export function attachGateway(
  server: Server,
  hub: Hub,
  options: GatewayOptions,
  logger: Logger,
): Gateway {
  const edge =
    options.edge ??
    edgePolicy({ host: '127.0.0.1', public_url: undefined, allowed_hosts: [] }, false);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const connections = new Set<Connection>();
  const feeds = new Map<string, RoomFeed>();
  /** The store ids of this hub's live subscriptions bound to an agent, renewed every heartbeat. */
  const agentConnectionIds = new Set<string>();
  const pendingDeliveries = new Map<string, { room: Room; agent: string; ids: string[] }>();
  let flushScheduled = false;
  /** Presence and receipt writes in flight; close() waits for them before the store closes. */
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const p = work.catch(onError).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  const onError = (err: unknown) =>
    logger.error('stream error', { error: String((err as Error)?.stack ?? err) });

  function feedFor(room: Room): RoomFeed {
    let feed = feeds.get(room.id);
    if (!feed) feeds.set(room.id, (feed = createRoomFeed(room, hub, onError)));
    return feed;
  }

  /**
   * Sends a frame unless the connection is closing or too far behind; a connection past its
   * buffer limit is closed with the cursors it has actually been sent. Returns whether it sent.
   */
  function send(conn: Connection, data: string | Buffer, done?: (err?: Error) => void): boolean {
    if (conn.ws.readyState !== conn.ws.OPEN) return false;
    if (conn.ws.bufferedAmount > options.bufferLimitBytes) {
      const cursors = [...conn.subs.values()].map((s) => `${s.room.name}@${s.cursor}`).join(',');
      conn.ws.close(CLOSE.slowConsumer, `slow consumer; resume from ${cursors}`.slice(0, 120));
      return false;
    }
    // Text frames always, as documented: an event is encoded once as a Buffer, which `ws` would
    // otherwise send as a binary frame (a Blob in a browser).
    conn.ws.send(data, { binary: false }, done);
    return true;
  }

  function errorFrame(err: unknown, ref?: string): string {
    const e = isHuddleError(err)
      ? err
      : new HuddleError('internal', 'internal_error', 'The hub hit an unexpected error.');
    if (!isHuddleError(err)) onError(err);
    return JSON.stringify({
      type: 'error',
      ref,
      code: e.code,
      message: e.message,
      retryable: e.retryable,
      details: e.details,
    });
  }

  function sendError(conn: Connection, err: unknown, ref?: string): void {
    send(conn, errorFrame(err, ref));
  }

  /** Resolves once the connection's send buffer is at most half its limit, or it closed. */
  function drained(conn: Connection): Promise<void> {
    const low = options.bufferLimitBytes / 2;
    if (conn.ws.bufferedAmount <= low || conn.ws.readyState !== conn.ws.OPEN)
      return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (conn.ws.bufferedAmount <= low || conn.ws.readyState !== conn.ws.OPEN) {
          clearInterval(timer);
          resolve();
        }
      };
      const timer = setInterval(check, 5);
    });
  }

  /** Records `delivered` for messages handed to an agent's connection, batched per turn. */
  function delivered(room: Room, agent: string, id: string): void {
    const key = `${room.id}/${agent}`;
    const entry = pendingDeliveries.get(key) ?? { room, agent, ids: [] };
    entry.ids.push(id);
    pendingDeliveries.set(key, entry);
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      const batch = [...pendingDeliveries.values()];
      pendingDeliveries.clear();
      for (const { room: r, agent: a, ids } of batch) track(hub.messaging.markDelivered(r, a, ids));
    });
  }

  function unsubscribe(conn: Connection, sub: Subscription, reason: 'closed' | 'dead') {
    conn.subs.delete(sub.room.id);
    const feed = feeds.get(sub.room.id);
    feed?.remove(sub);
    if (feed && feed.size === 0) {
      feed.close();
      feeds.delete(sub.room.id);
    }
    if (sub.agent && sub.connectionId) {
      agentConnectionIds.delete(sub.connectionId);
      track(hub.presence.agentDisconnected(sub.room.id, sub.agent, sub.connectionId, reason));
    }
  }

  /** After a revocation or rotation of its member, a connection whose token died is closed. */
  function recheck(conn: Connection, principal: Principal): void {
    track(
      hub.stream.stillValid(principal).then((valid) => {
        if (!valid) conn.ws.close(CLOSE.unauthenticated, 'token revoked or rotated');
      }),
    );
  }

  /** The browser session's member in a room, read afresh (the session may have new rooms). */
  async function webPrincipal(keys: SessionKeys, roomName: string): Promise<Principal> {
    return hub.web.principal(await hub.web.open(keys), roomName);
  }

  async function subscribe(conn: Connection, frame: Extract<ClientFrame, { type: 'subscribe' }>) {
    const principal = frame.token
      ? await hub.members.authenticate(frame.token)
      : conn.web
        ? await webPrincipal(conn.web, frame.room)
        : conn.principal;
    if (!principal) {
      throw new HuddleError(
        'unauthenticated',
        'missing_token',
        'Authenticate first: send {"type":"auth","token":"hd_..."}, or put a token in the subscribe frame.',
      );
    }
    const room = await hub.stream.authorizeStream(principal, frame.room);
    if (conn.subs.has(room.id)) {
      throw new HuddleError(
        'conflict',
        'already_subscribed',
        `This connection already follows room "${room.name}"; unsubscribe first to move its cursor.`,
      );
    }
    if (frame.agent !== undefined) await hub.stream.bindAgent(principal, room, frame.agent);
    const agent = frame.agent ?? null;
    const sub: Subscription = {
      room,
      principal,
      agent,
      connectionId: agent === null ? null : randomUUID(),
      cursor: 0,
      live: false,
      send(bytes: Buffer, event: RoomEvent) {
        if (event.type === 'member.revoked' || event.type === 'member.token_rotated') {
          if (event.body.member_id === principal.member.id) recheck(conn, principal);
        }
        const forMe =
          agent !== null &&
          event.type === 'message' &&
          (event.body.message as Message).recipients.includes(agent);
        return send(
          conn,
          bytes,
          forMe
            ? (err) => !err && delivered(room, agent, (event.body.message as Message).id)
            : undefined,
        );
      },
      drained() {
        return drained(conn);
      },
      gone() {
        sendError(
          conn,
          new HuddleError('not_found', 'room_not_found', `Room "${room.name}" was deleted.`, {
            details: { room: room.name },
          }),
        );
        unsubscribe(conn, sub, 'closed');
      },
    };
    // The socket may have closed while this frame waited on the store.
    if (conn.closed) return;
    conn.subs.set(room.id, sub);
    if (agent && sub.connectionId) {
      agentConnectionIds.add(sub.connectionId);
      await hub.presence.agentConnected(room.id, agent, sub.connectionId);
    }
    // Closing unsubscribed everything; a feed must not keep this one.
    if (conn.closed) return;
    const after = frame.after ?? 0;
    send(
      conn,
      JSON.stringify({ type: 'subscribed', ref: frame.ref, room: room.name, after, agent }),
    );
    try {
      await feedFor(room).add(sub, after);
    } catch (err) {
      // A subscription that could not catch up would never go live: drop it so a retry can.
      unsubscribe(conn, sub, 'closed');
      throw err;
    }
  }

  /**
   * Handles one frame. A `send` resolves as soon as its write is queued, to a promise of its
   * reply (the write's commit); every other frame resolves to its reply when it is done.
   */
  async function handle(
    conn: Connection,
    frame: ClientFrame,
  ): Promise<{ reply: Promise<string | null> } | string | null> {
    switch (frame.type) {
      case 'auth': {
        if ((frame.token === undefined) === (frame.csrf === undefined)) {
          throw new HuddleError(
            'invalid',
            'invalid_frame',
            'An auth frame carries exactly one of "token" (a member token) or "csrf" (a signed-in browser).',
          );
        }
        if (frame.csrf !== undefined) {
          const keys = { secret: conn.cookie, csrf: frame.csrf };
          const { person, rooms } = await hub.web.describe(await hub.web.open(keys));
          conn.web = keys;
          return JSON.stringify({
            type: 'authenticated',
            ref: frame.ref,
            person,
            rooms: rooms.map((r) => r.room.name),
          });
        }
        conn.principal = await hub.members.authenticate(frame.token);
        const { member, room } = conn.principal;
        return JSON.stringify({
          type: 'authenticated',
          ref: frame.ref,
          room: room.name,
          member: { id: member.id, label: member.label },
        });
      }
      case 'subscribe':
        // Its `subscribed` frame must precede the backlog, so it sends that frame itself.
        await subscribe(conn, frame);
        return null;
      case 'unsubscribe': {
        const sub = [...conn.subs.values()].find((s) => s.room.name === frame.room);
        if (sub) unsubscribe(conn, sub, 'closed');
        return JSON.stringify({ type: 'unsubscribed', ref: frame.ref, room: frame.room });
      }
      case 'ping':
        return JSON.stringify({ type: 'pong', ref: frame.ref });
      case 'presence': {
        const p = await principalFor(conn, frame.room);
        const { agent } = await hub.presence.heartbeat(
          { principal: p, room: frame.room, agent: frame.agent },
          {
            status: frame.status,
          },
        );
        return JSON.stringify({
          type: 'presence',
          ref: frame.ref,
          agent: agent.name,
          status: agent.status,
        });
      }
      case 'send': {
        // The same use-case as POST .../agents/:agent/messages, without an HTTP round trip, in
        // two steps: the checks now, in frame order, then the write, queued at once, so the next
        // frame's checks need not wait for this commit. Order in the log is frame order.
        const p = await principalFor(conn, frame.room);
        const write = await hub.messaging.prepareSend(
          { principal: p, room: frame.room, agent: frame.agent, key: frame.idempotency_key },
          frame.message,
        );
        const ref = frame.ref;
        return {
          reply: write().then(({ message }) => JSON.stringify({ type: 'sent', ref, message })),
        };
      }
      case 'injected': {
        const p = await principalFor(conn, frame.room);
        const { injected } = await hub.messaging.markInjected(
          { principal: p, room: frame.room, agent: frame.agent },
          frame.ids,
        );
        return JSON.stringify({ type: 'injected', ref: frame.ref, ids: injected });
      }
    }
  }

  /**
   * Starts handling one frame: resolves once the next frame may start (for a `send`, when its
   * write is queued; for any other frame, when it is done) to the promise of its outcome.
   * Never rejects: a refusal is an error frame.
   */
  async function begin(
    conn: Connection,
    text: string | null,
    earlierAnswered: Promise<unknown>,
  ): Promise<{ outcome: Promise<Outcome> }> {
    if (conn.closed) return { outcome: Promise.resolve({ reply: null }) };
    if (text === null) {
      const err = new HuddleError('invalid', 'invalid_frame', 'Frames are JSON text, not binary.');
      return { outcome: Promise.resolve({ reply: errorFrame(err) }) };
    }
    let frame: ClientFrame | undefined;
    const refused = (err: unknown): Outcome => {
      // A connection that never got a credential has nothing left to do.
      const hopeless =
        frame?.type === 'auth' && !conn.principal && !conn.web && conn.subs.size === 0;
      return {
        reply: errorFrame(err, frame?.ref),
        ...(hopeless && { close: { code: CLOSE.unauthenticated, reason: 'invalid_token' } }),
      };
    };
    try {
      frame = parseFrame(text);
      // Anything but a send waits until every earlier frame is answered: a `subscribed` frame
      // and its backlog, say, must not overtake the `sent` of a send before it.
      if (frame.type !== 'send') await earlierAnswered;
      if (conn.closed) return { outcome: Promise.resolve({ reply: null }) };
      const handled = await handle(conn, frame);
      if (handled === null || typeof handled === 'string')
        return { outcome: Promise.resolve({ reply: handled }) };
      return {
        outcome: handled.reply.then(
          (reply) => ({ reply }),
          (err: unknown) => refused(err),
        ),
      };
    } catch (err) {
      return { outcome: Promise.resolve(refused(err)) };
    }
  }

  /** The credential a connection uses for a room: its subscription's, else the connection's. */
  async function principalFor(conn: Connection, roomName: string): Promise<Principal> {
    const sub = [...conn.subs.values()].find((s) => s.room.name === roomName);
    // A browser's credential is read afresh, so it is valid now: no second look.
    if (!sub && conn.web) return webPrincipal(conn.web, roomName);
    const principal = sub?.principal ?? conn.principal;
    if (!principal) {
      throw new HuddleError(
        'unauthenticated',
        'missing_token',
        `Authenticate, or subscribe to room "${roomName}" with its token, first.`,
      );
    }
    // A credential read when the connection opened may have been revoked since.
    if (!(await hub.stream.stillValid(principal))) {
      throw new HuddleError(
        'unauthenticated',
        'unknown_token',
        'The token is not valid any more: it was revoked or rotated, or its room was deleted.',
      );
    }
    return principal;
  }

  function onConnection(ws: WebSocket, principal: Principal | null, cookie: string | undefined) {
    const conn: Connection = {
      ws,
      principal,
      cookie,
      web: null,
      subs: new Map(),
      alive: true,
      closed: false,
      inFlight: 0,
      paused: false,
    };
    connections.add(conn);
    // Frames start one after another (a subscribe finishes before the next frame starts; a send's
    // write is queued before the next one's checks), several sends wait for their commits at once,
    // and replies go out in frame order.
    let started: Promise<unknown> = Promise.resolve();
    let answered: Promise<unknown> = Promise.resolve();
    const authTimer = setTimeout(() => {
      if (!conn.principal && !conn.web && conn.subs.size === 0)
        ws.close(CLOSE.unauthenticated, 'no credential within the time allowed');
    }, options.authTimeoutMs ?? 10_000);

    ws.on('message', (data, isBinary) => {
      conn.alive = true;
      const text = isBinary ? null : data.toString();
      if (++conn.inFlight >= PAUSE_AT && !conn.paused) {
        conn.paused = true;
        ws.pause();
      }
      const earlierAnswered = answered;
      const begun = started.then(() => begin(conn, text, earlierAnswered));
      started = begun;
      answered = answered
        .then(() => begun)
        .then(async ({ outcome }) => {
          const { reply, close } = await outcome;
          conn.inFlight--;
          if (reply !== null) send(conn, reply);
          if (close) ws.close(close.code, close.reason);
          if (conn.paused && conn.inFlight <= RESUME_AT && !conn.closed) {
            conn.paused = false;
            ws.resume();
          }
        })
        .catch(onError);
    });
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('error', (err) => logger.debug('stream connection error', { error: err.message }));
    ws.on('close', () => {
      conn.closed = true;
      clearTimeout(authTimer);
      connections.delete(conn);
      const reason = conn.alive ? 'closed' : 'dead';
      for (const sub of [...conn.subs.values()]) unsubscribe(conn, sub, reason);
    });
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://hub');
    } catch {
      return reject(socket, 400, 'Bad Request');
    }
    if (url.pathname !== STREAM_PATH) return reject(socket, 404, 'Not Found');
    const refusal = edgeRefusal(edge, req.method ?? 'GET', (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    });
    if (refusal) return refuse(socket, refusal);
    // Tokens never travel in URLs, where logs and proxies keep them.
    if (url.searchParams.has('token') || url.searchParams.has('access_token'))
      return reject(socket, 400, 'Bad Request');
    const header = req.headers.authorization;
    let token: string | undefined;
    if (header !== undefined) {
      token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
      if (!token) return reject(socket, 401, 'Unauthorized');
    }
    const authenticated = token
      ? hub.members.authenticate(token).then(
          (p) => p,
          () => undefined,
        )
      : Promise.resolve(null);
    authenticated.then((principal) => {
      if (principal === undefined) return reject(socket, 401, 'Unauthorized');
      const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, principal, cookie));
    }, onError);
  };
  server.on('upgrade', onUpgrade);

  // Heartbeats: ping every connection; one that missed the last ping is dead.
  // A round goes through the connections a slice at a time, spread over half the interval: a ping
  // and its pong cost tens of microseconds each, and 15,000 of them in one go would stall every
  // sender for half a second.
  let round: Iterator<Connection> | null = null;
  let sliceSpacingMs = 0;
  function heartbeatSlice() {
    for (let i = 0; i < HEARTBEAT_SLICE; i++) {
      const next = round?.next();
      if (!next || next.done) {
        round = null;
        return;
      }
      const conn = next.value;
      if (conn.closed) continue;
      if (!conn.alive) {
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
      for (const sub of conn.subs.values())
        if (sub.agent) track(hub.presence.agentAlive(sub.room.id, sub.agent));
    }
    if (sliceSpacingMs >= 1) setTimeout(heartbeatSlice, sliceSpacingMs).unref();
    else setImmediate(heartbeatSlice);
  }

  const heartbeat = setInterval(() => {
    // One statement for all of them, well before they expire (offline_after >= 2 heartbeats).
    if (agentConnectionIds.size > 0) track(hub.presence.renewConnections([...agentConnectionIds]));
    if (round) return; // the last round is still going
    // A snapshot: connections opened during the round wait for the next one.
    const all = [...connections];
    round = all[Symbol.iterator]();
    sliceSpacingMs = Math.floor(options.heartbeatMs / 2 / Math.ceil(all.length / HEARTBEAT_SLICE));
    heartbeatSlice();
  }, options.heartbeatMs);
  heartbeat.unref();

  return {
    get connections() {
      return connections.size;
    },
    async close() {
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      const closed = [...connections].map(
        (conn) =>
          new Promise<void>((resolve) => {
            conn.ws.once('close', () => resolve());
            conn.ws.close(CLOSE.goingAway, 'hub shutting down; resume from your cursor');
            setTimeout(() => {
              conn.ws.terminate();
              resolve();
            }, 1000).unref();
          }),
      );
      await Promise.all(closed);
      await Promise.all(inFlight);
      for (const feed of feeds.values()) feed.close();
      feeds.clear();
      wss.close();
    },
  };
}

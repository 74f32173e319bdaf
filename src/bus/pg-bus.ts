// The PostgreSQL Bus: hubs sharing one database tell each other of committed events with NOTIFY
// on one channel, and each LISTENs on a connection of its own. A notice carries only a room and
// a seq; several published in the same turn go out in one NOTIFY, after the writing transaction.
// This process's own subscribers hear its notices at once, without the round trip. A dropped
// LISTEN connection reconnects and sends a resync to every room followed here; a slow poll of
// the rooms' last seq is the safety net for a notification lost anyway.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Bus, BusNotice } from '../core/bus.js';
import { createLocalBus } from './local-bus.js';

export interface PgBusOptions {
  url: string;
  /** The schema of the store's tables (its `rooms` table is polled); default `public`. */
  schema?: string;
  /** How often the rooms followed here are compared with the store (default 1000 ms; 0: never). */
  pollMs?: number;
  /** Told about listeners that threw and connections that failed. */
  onError?: (err: unknown) => void;
}

/** Notices in one NOTIFY at most: its payload must stay under PostgreSQL's 8,000 bytes. */
const PER_NOTIFY = 100;
const MAX_BACKOFF_MS = 2000;

export function channelOf(schema: string): string {
  return `huddle:${schema}`.slice(0, 63);
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function openPgBus(options: PgBusOptions): Promise<Bus> {
  const onError = options.onError ?? (() => {});
  const schema = options.schema ?? 'public';
  const channel = channelOf(schema);
  const origin = randomBytes(6).toString('hex');
  const local = createLocalBus(onError);
  /** Rooms followed here, with how many subscribers each has. */
  const followed = new Map<string, number>();
  /** The newest seq of each followed room that its subscribers were told of. */
  const seen = new Map<string, number>();
  let closed = false;

  const publisher = new pg.Pool({
    connectionString: options.url,
    max: 1,
    application_name: 'huddle-bus',
    options: `-c search_path=${quote(schema)}`,
  });
  publisher.on('error', onError);

  const deliver = (notice: BusNotice) => {
    if ('seq' in notice && followed.has(notice.room_id)) {
      seen.set(notice.room_id, Math.max(seen.get(notice.room_id) ?? 0, notice.seq));
    }
    local.dispatch(notice);
  };

  // Publishing: notices of one turn leave together, in order, one NOTIFY per PER_NOTIFY of them.
  let outbox: Array<[string, number]> = [];
  let flushing: Promise<void> = Promise.resolve();
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    const batch = outbox;
    outbox = [];
    flushing = flushing.then(async () => {
      for (let i = 0; i < batch.length; i += PER_NOTIFY) {
        const payload = JSON.stringify({ o: origin, n: batch.slice(i, i + PER_NOTIFY) });
        try {
          await publisher.query('SELECT pg_notify($1, $2)', [channel, payload]);
        } catch (err) {
          // Other hubs find these events by their poll.
          onError(err);
        }
      }
    });
  };

  // Listening: one connection of its own, reconnected when it drops.
  let listener: pg.Client | undefined;
  let backoff = 100;
  let reconnectTimer: NodeJS.Timeout | undefined;
  const onNotification = (msg: pg.Notification) => {
    if (msg.channel !== channel || !msg.payload) return;
    let parsed: { o?: unknown; n?: unknown };
    try {
      parsed = JSON.parse(msg.payload) as { o?: unknown; n?: unknown };
    } catch (err) {
      onError(err);
      return;
    }
    if (parsed.o === origin || !Array.isArray(parsed.n)) return;
    for (const pair of parsed.n as unknown[]) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'number')
        continue;
      deliver({ room_id: pair[0], seq: pair[1] });
    }
  };
  async function listen(first: boolean): Promise<void> {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: 'huddle-bus-listen',
    });
    client.on('notification', onNotification);
    client.on('error', (err) => {
      onError(err);
      dropped(client);
    });
    client.on('end', () => dropped(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${quote(channel)}`);
    } catch (err) {
      if (first) {
        await client.end().catch(() => {});
        throw err;
      }
      onError(err);
      dropped(client);
      return;
    }
    if (closed) {
      await client.end().catch(() => {});
      return;
    }
    listener = client;
    backoff = 100;
    // Whatever was published while no connection listened is found by reading the store.
    if (!first) for (const room of followed.keys()) local.dispatch({ room_id: room, resync: true });
  }
  function dropped(client: pg.Client) {
    if (listener !== client && listener !== undefined) return;
    if (listener === client) listener = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => {});
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void listen(false);
    }, backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
  await listen(true);

  // The safety net: a room whose last seq moved past what its subscribers heard gets a notice.
  const pollMs = options.pollMs ?? 1000;
  let polling = false;
  const poll = async () => {
    if (polling || followed.size === 0) return;
    polling = true;
    try {
      const { rows } = await publisher.query<{ id: string; last_seq: string }>(
        'SELECT id, last_seq FROM rooms WHERE id = ANY($1::text[])',
        [[...followed.keys()]],
      );
      for (const row of rows) {
        const seq = Number(row.last_seq);
        if (!closed && followed.has(row.id) && seq > (seen.get(row.id) ?? 0))
          deliver({ room_id: row.id, seq });
      }
    } catch (err) {
      onError(err);
    } finally {
      polling = false;
    }
  };
  const pollTimer = pollMs > 0 ? setInterval(() => void poll(), pollMs) : undefined;
  pollTimer?.unref();

  return {
    publish(notice) {
      if (closed) return;
      deliver(notice);
      outbox.push([notice.room_id, notice.seq]);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    subscribe(roomId, listenerFn) {
      followed.set(roomId, (followed.get(roomId) ?? 0) + 1);
      const off = local.subscribe(roomId, listenerFn);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        off();
        const left = (followed.get(roomId) ?? 1) - 1;
        if (left > 0) followed.set(roomId, left);
        else {
          followed.delete(roomId);
          seen.delete(roomId);
        }
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(pollTimer);
      clearTimeout(reconnectTimer);
      await local.close();
      if (flushScheduled) flush();
      await flushing;
      const client = listener;
      listener = undefined;
      if (client) {
        client.removeAllListeners('end');
        await client.end().catch(() => {});
      }
      await publisher.end().catch(() => {});
    },
  };
}

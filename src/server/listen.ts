// startHub: opens the store, builds the Hub and the HTTP app, listens, and shuts down cleanly.

import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import { openBus } from '../bus/open-bus.js';
import type { Config } from '../config/schema.js';
import { maskUrl } from '../config/load-config.js';
import { systemClock, type Clock } from '../core/clock.js';
import { HuddleError } from '../core/errors.js';
import { createHub, type Hub } from '../core/hub.js';
import { isLoopbackHost } from '../core/loopback.js';
import { createPooledRandom } from '../core/random.js';
import type { Store } from '../core/store.js';
import { openStore } from '../store/open-store.js';
import { createStoreRateLimiter } from '../core/rate-limiter.js';
import { isPgUrl } from '../core/store-url.js';
import { createApp } from './app.js';
import { applyConnectionTimeouts, serverTimeoutOptions } from './connection-timeouts.js';
import { edgePolicy } from './edge-guard.js';
import { ensureLocalSecret } from './local-secret.js';
import { makeHomePrivate } from './private-home.js';
import { createPushNotifier, type PushNotifier } from './push/notifier.js';
import { attachGateway, type Gateway } from './stream/gateway.js';
import type { Logger } from './logger.js';

export interface RunningHub {
  url: string;
  port: number;
  hub: Hub;
  store: Store;
  gateway: Gateway;
  /** Sends Web Push notifications for the rooms people subscribed to. */
  push: PushNotifier;
  /** Stops accepting connections, finishes pending writes, and closes the store. */
  close(): Promise<void>;
}

/** Refuses to expose room creation to a network without a secret or an explicit opt-in. */
export function assertCreatePolicy(
  config: Pick<Config, 'host' | 'create_secret' | 'open_create'>,
): void {
  if (isLoopbackHost(config.host) || config.create_secret !== undefined || config.open_create)
    return;
  throw new HuddleError(
    'invalid',
    'create_policy_required',
    `The hub would listen on ${config.host}, beyond this machine, where anyone could create rooms. Set a secret with --create-secret (or HUDDLE_CREATE_SECRET), or allow it explicitly with --open-create.`,
  );
}

export async function startHub(
  config: Config,
  logger: Logger,
  clock: Clock = systemClock,
): Promise<RunningHub> {
  assertCreatePolicy(config);
  if (config.offline_after_seconds < 2 * config.heartbeat_seconds) {
    throw new HuddleError(
      'invalid',
      'invalid_config',
      `offline_after_seconds (${config.offline_after_seconds}) must be at least twice heartbeat_seconds (${config.heartbeat_seconds}), or connected agents would go offline between two pings.`,
    );
  }
  // HUDDLE_HOME and the database hold tokens, secrets and every message: this user's alone.
  const home = makeHomePrivate(config.home);
  // Only a hub on loopback trusts the local secret: anyone who can read HUDDLE_HOME is this user.
  const localSecret = isLoopbackHost(config.host) ? ensureLocalSecret(config.home) : undefined;
  const store = await openStore(config.store, {
    sync: config.sync,
    walLimitBytes: config.wal_limit_bytes,
    syncDelayMs: config.test_sync_delay_ms,
    onTightened: (paths) => home.changed.push(...paths),
  });
  if (home.changed.length > 0)
    logger.warn('made files private to this user (0600, directories 0700)', {
      paths: home.changed,
    });
  if (home.failed.length > 0)
    logger.warn('could not make files private to this user', { files: home.failed });
  const bus = await openBus(config.bus, {
    onError: (err) => logger.error('bus listener failed', { error: String(err) }),
  });
  const shared = isPgUrl(config.store);
  const hub = createHub({
    store,
    bus,
    clock,
    // Hubs sharing a store share the limits on strangers (a pair code guessed through every hub
    // at once still meets one limit per address).
    limiter: shared
      ? (name, limit) =>
          createStoreRateLimiter(name, limit, clock, (...args) => store.takeRateCredit(...args))
      : undefined,
    random: createPooledRandom(),
    options: {
      code_ttl_seconds: config.code_ttl_seconds,
      rate_limits: config.rate_limits,
      create_secret: config.create_secret,
      local_secret: localSecret,
      idempotency_retention_seconds: config.idempotency_retention_seconds,
      messages: {
        max_reply_depth: config.max_reply_depth,
        max_recipients: config.max_recipients,
        duplicate_window_seconds: config.duplicate_window_seconds,
      },
      presence: { offline_after_seconds: config.offline_after_seconds },
      leases: {
        default_ttl_seconds: config.lease_ttl_seconds,
        offline_grace_seconds: config.lease_offline_grace_seconds,
      },
      approvals: { timeout_seconds: config.approval_timeout_seconds },
      push: { endpoints: config.push_endpoints },
      instance: { pid: process.pid, store: maskUrl(config.store) },
      shared_store: shared,
    },
  });
  const push = createPushNotifier(hub, { subject: config.push_subject }, logger);
  await push.start();
  const edge = edgePolicy(config, !isLoopbackHost(config.host));
  const app = createApp(
    hub,
    {
      bodyLimitBytes: config.body_limit_bytes,
      trustProxy: config.trust_proxy,
      edge,
      ready: () => store.ping(),
      web: {
        root: fileURLToPath(new URL('../../web/', import.meta.url)),
        secureCookies: edge.publicOrigin?.startsWith('https:') ?? false,
      },
      push,
    },
    logger,
  );

  const timeouts = {
    headersMs: config.headers_timeout_seconds * 1000,
    keepAliveMs: config.keep_alive_timeout_seconds * 1000,
  };
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({
      fetch: app.fetch,
      port: config.port,
      hostname: config.host,
      serverOptions: serverTimeoutOptions(timeouts),
    }) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      push
        .close()
        .then(() => store.close())
        .catch(() => {});
      reject(
        err.code === 'EADDRINUSE'
          ? new HuddleError(
              'unavailable',
              'port_in_use',
              `Port ${config.port} on ${config.host} is in use: is another hub running? Choose another with --port.`,
            )
          : err,
      );
    });
  });
  applyConnectionTimeouts(server, timeouts);
  const gateway: Gateway = attachGateway(
    server,
    hub,
    {
      heartbeatMs: config.heartbeat_seconds * 1000,
      bufferLimitBytes: config.stream_buffer_limit_bytes,
      edge,
    },
    logger,
  );

  const housekeeping = setInterval(() => {
    hub.operations
      .housekeeping()
      .catch((err) => logger.warn('housekeeping failed', { error: String(err) }));
  }, 60_000);
  housekeeping.unref();
  const presence = setInterval(() => {
    hub.presence
      .sweepPresence()
      .then(() => hub.leases.sweepLeases())
      .then(() => hub.approvals.sweepApprovals())
      .catch((err) => logger.warn('presence sweep failed', { error: String(err) }));
  }, config.heartbeat_seconds * 1000);
  presence.unref();

  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':')
    ? `[${config.host}]`
    : config.host === '0.0.0.0'
      ? '127.0.0.1'
      : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    hub,
    store,
    gateway,
    push,
    close() {
      closing ??= (async () => {
        clearInterval(housekeeping);
        clearInterval(presence);
        const httpClosed = new Promise<void>((resolve) => {
          // Kept-alive connections turn idle only after their response: sweep them as they do,
          // and cut whatever is still open after a grace period.
          const sweep = setInterval(() => server.closeIdleConnections(), 50);
          const deadline = setTimeout(() => server.closeAllConnections(), 5_000);
          server.close(() => {
            clearInterval(sweep);
            clearTimeout(deadline);
            resolve();
          });
          server.closeIdleConnections();
        });
        // Long-polls answer now with what they have, instead of holding the shutdown.
        hub.operations.endWaits();
        await gateway.close();
        await httpClosed;
        await push.close();
        await bus.close();
        await store.close();
      })();
      return closing;
    },
  };
}

// createApp: the HTTP edge. Parses, calls one Hub use-case, translates the result or the error.

import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Hub } from '../core/hub.js';
import { HuddleError } from '../core/errors.js';
import { edgeGuard, type EdgePolicy } from './edge-guard.js';
import { toHttpError } from './http-errors.js';
import type { Logger } from './logger.js';
import { registerAgentRoutes } from './routes/agents.js';
import { registerApprovalRoutes } from './routes/approvals.js';
import { registerCoordinationRoutes } from './routes/coordination.js';
import type { PushNotifier } from './push/notifier.js';
import { registerMcpRoute } from './routes/mcp.js';
import { registerMemberRoutes } from './routes/members.js';
import { registerPushRoutes } from './routes/push.js';
import { registerRoomRoutes } from './routes/rooms.js';
import { registerStatusRoute } from './routes/status.js';
import { registerTaskRoutes } from './routes/tasks.js';
import { registerWebRoutes } from './routes/web.js';
import { registerWebAssets } from './web-assets.js';

export interface AppOptions {
  bodyLimitBytes: number;
  trustProxy: boolean;
  /** The host names, origins and content types the hub answers to. */
  edge: EdgePolicy;
  /** Reports readiness of the store; throws when not ready. */
  ready: () => Promise<void>;
  /** The cockpit: where its built files are (none: not served), and whether cookies are Secure. */
  web?: { root: string | undefined; secureCookies: boolean };
  /** Web Push: the hub's public key, and the rooms to follow once someone subscribes. */
  push: Pick<PushNotifier, 'publicKey' | 'follow'>;
}

export type Env = {
  Bindings: { incoming?: { socket?: { remoteAddress?: string }; readableAborted?: boolean } };
};

export interface RouteContext {
  hub: Hub;
  /** The client's address, for per-address rate limits. */
  address: (c: Context<Env>) => string;
}

export function createApp(hub: Hub, options: AppOptions, logger: Logger): Hono<Env> {
  const app = new Hono<Env>();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    logger.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
    });
  });
  // Before the body limit, the routes, their credentials and their rate limits.
  app.use('*', edgeGuard(options.edge));

  const tooLarge = () =>
    new HuddleError(
      'too_large',
      'request_too_large',
      `The request body is larger than the hub's limit of ${options.bodyLimitBytes} bytes. Nothing was stored.`,
      { details: { limit_bytes: options.bodyLimitBytes } },
    );
  // Counts a body as it streams in; only needed for bodies that do not declare their length.
  const streamingLimit = bodyLimit({
    maxSize: options.bodyLimitBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  const limitBody = async (c: Context<Env>, next: () => Promise<void>) => {
    // Checking the declared length avoids turning every request into a streamed web Request,
    // which costs about half the hub's throughput.
    const length = c.req.header('content-length');
    if (length !== undefined) {
      if (Number(length) > options.bodyLimitBytes) throw tooLarge();
      return next();
    }
    if (c.req.header('transfer-encoding') === undefined) return next();
    return streamingLimit(c, next);
  };
  app.use('/v1/*', limitBody);
  app.use('/mcp', limitBody);

  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    await options.ready().catch((err) => {
      throw new HuddleError('unavailable', 'not_ready', 'The hub cannot reach its store yet.', {
        cause: err,
      });
    });
    return c.json({ ok: true });
  });

  const address = (c: Context<Env>): string => {
    if (options.trustProxy) {
      // The proxy appends the address it saw; entries to its left come from the client.
      const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
      if (forwarded) return forwarded;
    }
    return c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
  };
  const ctx: RouteContext = { hub, address };
  registerRoomRoutes(app, ctx);
  registerMemberRoutes(app, ctx);
  registerAgentRoutes(app, ctx);
  registerApprovalRoutes(app, ctx);
  registerTaskRoutes(app, ctx);
  registerCoordinationRoutes(app, ctx);
  registerMcpRoute(app, ctx);
  registerStatusRoute(app, ctx);
  registerWebRoutes(app, ctx, { secureCookies: options.web?.secureCookies ?? false });
  if (options.web?.root !== undefined) registerWebAssets(app, options.web.root);
  registerPushRoutes(app, ctx, options.push);

  app.notFound(() => {
    throw new HuddleError(
      'not_found',
      'route_not_found',
      'No such route. See docs/protocol.md for the API.',
    );
  });
  app.onError((err, c) => {
    // A client that went away mid-body broke nothing of the hub's: no 500, no error log.
    if (!(err instanceof HuddleError) && c.env?.incoming?.readableAborted) {
      logger.debug('client aborted the request', { path: c.req.path });
      err = new HuddleError(
        'invalid',
        'request_aborted',
        'The client closed the connection before the request was complete.',
      );
    }
    const { status, headers, body } = toHttpError(err);
    if (status >= 500)
      logger.error('unhandled error', {
        path: c.req.path,
        error: String((err as Error)?.stack ?? err),
      });
    return c.json(body, status as 400, headers);
  });
  return app;
}

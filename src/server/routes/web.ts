// Browser session routes: sign in (pair code, token, `huddle open` ticket), look, sign out.

import type { Context, Hono } from 'hono';
import type { SignInInput } from '../../core/members/web-sessions.js';
import type { Env, RouteContext } from '../app.js';
import { readJson, readNoBody, refuseIdempotencyKey } from '../request.js';
import { webSignInBody, webTicketBody } from '../schemas.js';
import { sessionCookie, sessionKeys } from '../web-auth.js';

export interface WebRouteOptions {
  /** Whether cookies carry `Secure`: the hub is reached over HTTPS (its public URL says so). */
  secureCookies: boolean;
}

export function registerWebRoutes(
  app: Hono<Env>,
  { hub, address }: RouteContext,
  options: WebRouteOptions,
): void {
  const secure = (c: Context) => options.secureCookies || new URL(c.req.url).protocol === 'https:';

  app.post('/v1/web/session', async (c) => {
    refuseIdempotencyKey(
      c,
      'a sign-in mints a new credential that is never stored; sign in again instead.',
    );
    const body = await readJson(c, webSignInBody);
    const input = (
      body.code !== undefined
        ? { code: body.code, name: body.name }
        : body.token !== undefined
          ? { token: body.token, name: body.name }
          : { ticket: body.ticket!, name: body.name }
    ) as SignInInput;
    const { secret, ...result } = await hub.web.signIn(
      { address: address(c) },
      input,
      sessionKeys(c),
    );
    if (secret) c.header('Set-Cookie', sessionCookie(secret, secure(c)));
    c.header('Cache-Control', 'no-store');
    return c.json(result, 201);
  });

  app.get('/v1/web/session', async (c) => {
    const keys = sessionKeys(c);
    const record = await hub.web.open(keys);
    c.header('Cache-Control', 'no-store');
    // Each visit keeps the cookie for another full period.
    c.header('Set-Cookie', sessionCookie(keys.secret!, secure(c)));
    return c.json(await hub.web.describe(record));
  });

  app.delete('/v1/web/session', async (c) => {
    await readNoBody(c);
    const record = await hub.web.open(sessionKeys(c));
    await hub.web.signOut(record);
    c.header('Set-Cookie', sessionCookie(null, secure(c)));
    return c.json({ signed_out: true });
  });

  app.delete('/v1/web/session/rooms/:room', async (c) => {
    await readNoBody(c);
    const record = await hub.web.open(sessionKeys(c));
    return c.json(await hub.web.leave(record, c.req.param('room')));
  });

  app.post('/v1/local/web-ticket', async (c) => {
    refuseIdempotencyKey(c, 'a ticket works once and is never stored; ask for another.');
    const body = await readJson(c, webTicketBody);
    return c.json(await hub.web.mintTicket({ address: address(c) }, body), 201);
  });
}

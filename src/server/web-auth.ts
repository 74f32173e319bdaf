// Who a request speaks for: a bearer token, or a signed-in browser (its session cookie plus the
// page's X-Huddle-CSRF header) acting through its member in the room of the path.

import type { Context } from 'hono';
import type { Hub, Principal } from '../core/hub.js';
import type { SessionKeys } from '../core/members/web-sessions.js';
import { bearerToken } from './request.js';

export const SESSION_COOKIE = 'huddle_session';
export const CSRF_HEADER = 'x-huddle-csrf';
/** A browser that stays away this long must sign in again. */
export const SESSION_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 3600;

/** The value of one cookie in a `Cookie` header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionKeys(c: Context): SessionKeys {
  return {
    secret: readCookie(c.req.header('cookie'), SESSION_COOKIE),
    csrf: c.req.header(CSRF_HEADER),
  };
}

/**
 * The principal of a room route: the bearer token when one is sent (it wins over a cookie),
 * else the browser session's member in the path's room.
 */
export async function authenticate(hub: Hub, c: Context): Promise<Principal> {
  const token = bearerToken(c);
  if (token !== undefined) return hub.members.authenticate(token);
  const keys = sessionKeys(c);
  if (keys.secret === undefined) return hub.members.authenticate(undefined);
  const record = await hub.web.open(keys);
  return hub.web.principal(record, c.req.param('room') ?? '');
}

/** The Set-Cookie value that holds a session, or (with no secret) clears it. */
export function sessionCookie(secret: string | null, secure: boolean): string {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])];
  return secret === null
    ? [`${SESSION_COOKIE}=`, 'Max-Age=0', ...attributes].join('; ')
    : [
        `${SESSION_COOKIE}=${secret}`,
        `Max-Age=${SESSION_COOKIE_MAX_AGE_SECONDS}`,
        ...attributes,
      ].join('; ');
}

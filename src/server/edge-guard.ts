// The hub's front door, checked before any credential or rate limit: it answers only to the host
// names it serves (against DNS rebinding), to no other site's web pages (against cross-site
// requests), and takes request bodies only as JSON (which no page can send cross-site unasked).

import { hostname as machineHostname } from 'node:os';
import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { HuddleError } from '../core/errors.js';

export interface EdgePolicy {
  /** Host names (lower case, no port) the hub answers to besides IP literals and localhost. */
  hosts: ReadonlySet<string>;
  /** Domains (lower case, leading dot) whose subdomains the hub answers to. */
  domains: readonly string[];
  /** `allowed_hosts` holds `*`: any host name. */
  anyHost: boolean;
  /** The origin of the configured public URL, which browsers show when a proxy renames the host. */
  publicOrigin: string | undefined;
}

export interface EdgeSettings {
  public_url: string | undefined;
  allowed_hosts: readonly string[];
  /** The address the hub listens on; a name there is one it serves. */
  host: string;
}

/**
 * The policy of a hub: IP literals, `localhost` and `*.localhost`, the host of its public URL,
 * its `allowed_hosts`, the name it listens on, and, when it serves a network, this machine's
 * own names (`machine-a`, `machine-a.local`), so `http://machine-a:7766` works without settings.
 */
export function edgePolicy(
  settings: EdgeSettings,
  network: boolean,
  machineName: string = machineHostname(),
): EdgePolicy {
  const names = [...settings.allowed_hosts];
  if (settings.public_url !== undefined) names.push(new URL(settings.public_url).hostname);
  if (!isIpName(settings.host)) names.push(settings.host);
  if (network && machineName) {
    const short = machineName.split('.')[0]!;
    names.push(machineName, short, `${short}.local`);
  }
  const hosts = new Set<string>();
  const domains: string[] = [];
  for (const raw of names) {
    const name = raw.toLowerCase().replace(/\.$/, '');
    if (name.startsWith('.')) domains.push(name);
    else if (name !== '*') hosts.add(name);
  }
  return {
    hosts,
    domains,
    anyHost: names.includes('*'),
    publicOrigin:
      settings.public_url === undefined ? undefined : new URL(settings.public_url).origin,
  };
}

/** Reads a request header by its lower-case name. */
export type HeaderReader = (name: string) => string | undefined;

/** The refusal of a request the hub must not answer, or undefined when it may go on. */
export function edgeRefusal(
  policy: EdgePolicy,
  method: string,
  header: HeaderReader,
): HuddleError | undefined {
  return (
    hostRefusal(policy, header('host')) ??
    browserRefusal(policy, method, header) ??
    contentTypeRefusal(method, header('content-type'))
  );
}

/** The Hono middleware that runs edgeRefusal on every request, before any route. */
export function edgeGuard(policy: EdgePolicy): MiddlewareHandler {
  return async (c, next) => {
    const refusal = edgeRefusal(policy, c.req.method, (name) => c.req.header(name));
    if (refusal) throw refusal;
    await next();
  };
}

const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(:\d{1,5})?$/i;

function isIpName(name: string): boolean {
  return isIP(name.replace(/^\[(.*)\]$/, '$1')) !== 0;
}

function hostRefusal(policy: EdgePolicy, host: string | undefined): HuddleError | undefined {
  const match = host === undefined ? null : HOST_HEADER.exec(host);
  if (!match) {
    return new HuddleError(
      'forbidden',
      'host_not_allowed',
      'The request has no valid Host header; the hub answers only to the host names it serves.',
      { details: { host: host ?? null } },
    );
  }
  const name = match[1]!.toLowerCase().replace(/\.$/, '');
  // A page can rebind only a name it controls: an address, or a name the browser itself keeps
  // on loopback, cannot be one.
  if (isIpName(name) || name === 'localhost' || name.endsWith('.localhost')) return undefined;
  if (policy.anyHost || policy.hosts.has(name)) return undefined;
  if (policy.domains.some((d) => name.endsWith(d) || name === d.slice(1))) return undefined;
  return new HuddleError(
    'forbidden',
    'host_not_allowed',
    `This hub does not answer to the host name "${name}", so that a web page cannot reach it by DNS rebinding. If "${name}" is how you reach the hub, allow it on the hub: --allowed-hosts ${name} (HUDDLE_ALLOWED_HOSTS, or "allowed_hosts" in settings.json), or set the hub's public URL: --public-url http://${host} (HUDDLE_PUBLIC_URL). Then restart it.`,
    { details: { host: name } },
  );
}

/**
 * A browser says where a request comes from: `Origin` (on every request but simple GETs) and
 * `Sec-Fetch-Site`. Only the hub's own pages may call it; clients that are not browsers send
 * neither. A link followed from another site (a top-level GET navigation) may still open a page.
 */
function browserRefusal(
  policy: EdgePolicy,
  method: string,
  header: HeaderReader,
): HuddleError | undefined {
  const origin = header('origin');
  if (origin !== undefined && !ownOrigin(policy, origin, header('host') ?? '')) {
    return new HuddleError(
      'forbidden',
      'origin_not_allowed',
      `The hub answers only to its own pages, not to a page from ${origin}. Call it from a program rather than another site's page${policy.publicOrigin === undefined ? `; if ${origin} is the hub's own public address behind a proxy, set it as the hub's public URL (--public-url, HUDDLE_PUBLIC_URL)` : ''}.`,
      { details: { origin } },
    );
  }
  const site = header('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') {
    const navigation =
      (method === 'GET' || method === 'HEAD') && header('sec-fetch-mode') === 'navigate';
    if (!navigation) {
      return new HuddleError(
        'forbidden',
        'origin_not_allowed',
        `The browser marks this request as ${site} (Sec-Fetch-Site): the hub answers only to its own pages.`,
        { details: { sec_fetch_site: site } },
      );
    }
  }
  return undefined;
}

/** The Origin's scheme, host and port are the hub's: as the Host header names it, or its public URL. */
function ownOrigin(policy: EdgePolicy, origin: string, host: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // `null` (a sandboxed page, a file, a redirect) and anything else not a URL
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  if (parsed.origin === policy.publicOrigin) return true;
  try {
    // The Host header carries no scheme; compared with the Origin's, a default port may be left out.
    return new URL(`${parsed.protocol}//${host}`).host === parsed.host;
  } catch {
    return false;
  }
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * POST, PUT and PATCH bodies must be declared JSON, even an empty one: a page can send a form or
 * text/plain anywhere without asking, but application/json only to its own origin.
 */
function contentTypeRefusal(method: string, type: string | undefined): HuddleError | undefined {
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') return undefined;
  if (type !== undefined && JSON_TYPE.test(type)) return undefined;
  return new HuddleError(
    'invalid',
    'unsupported_media_type',
    `Send ${method} requests with "Content-Type: application/json", even with an empty body; this one has ${type === undefined ? 'none' : `"${type}"`}.`,
    { details: { content_type: type ?? null } },
  );
}

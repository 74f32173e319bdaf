// The one configuration schema: every setting with its default, file key, environment variable,
// flag and validation. Plain functions rather than a schema library, so the CLI starts fast.

import type { HubRateLimits } from '../core/hub.js';
import type { RateLimit } from '../core/rate-limiter.js';
import { DEFAULT_PUSH_ENDPOINTS, PUSH_ENDPOINT_PATTERN } from '../core/push/push-input.js';
import { isPgUrl } from '../core/store-url.js';

export interface Config {
  home: string;
  config_file: string;
  host: string;
  port: number;
  store: string;
  bus: string;
  sync: 'full' | 'normal';
  wal_limit_bytes: number;
  test_sync_delay_ms: number;
  url: string;
  create_secret: string | undefined;
  open_create: boolean;
  trust_proxy: boolean;
  public_url: string | undefined;
  push_subject: string;
  push_endpoints: string[];
  allowed_hosts: string[];
  headers_timeout_seconds: number;
  keep_alive_timeout_seconds: number;
  log_level: 'debug' | 'info' | 'warn' | 'error';
  log_format: 'auto' | 'json' | 'pretty';
  code_ttl_seconds: number;
  idempotency_retention_seconds: number;
  body_limit_bytes: number;
  rate_limits: HubRateLimits;
  max_reply_depth: number;
  max_recipients: number;
  duplicate_window_seconds: number;
  heartbeat_seconds: number;
  offline_after_seconds: number;
  lease_ttl_seconds: number;
  lease_offline_grace_seconds: number;
  stream_buffer_limit_bytes: number;
  approval_timeout_seconds: number;
}

/** Raised for a value that breaks the schema; the message names the source and the setting. */
export type Parse<T> = (raw: unknown) => T;

export interface Setting<K extends keyof Config = keyof Config> {
  key: K;
  env?: string;
  flag?: string;
  secret?: boolean;
  description: string;
  parse: Parse<Config[K]>;
  /** The default, which may depend on settings resolved before it. */
  default: (resolved: Partial<Config>) => Config[K];
}

class SchemaError extends Error {}
export { SchemaError };

const str: Parse<string> = (raw) => {
  if (typeof raw !== 'string' || raw.length === 0)
    throw new SchemaError('must be a non-empty string');
  return raw;
};
const int =
  (min: number, max: number): Parse<number> =>
  (raw) => {
    const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      throw new SchemaError(`must be an integer from ${min} to ${max}`);
    }
    return n;
  };
const bool: Parse<boolean> = (raw) => {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' && /^(1|true|yes|on)$/i.test(raw)) return true;
  if (typeof raw === 'string' && /^(0|false|no|off)$/i.test(raw)) return false;
  throw new SchemaError('must be true or false');
};
const oneOf =
  <T extends string>(...values: T[]): Parse<T> =>
  (raw) => {
    if (typeof raw !== 'string' || !(values as string[]).includes(raw)) {
      throw new SchemaError(`must be one of ${values.join(', ')}`);
    }
    return raw as T;
  };
const url: Parse<string> = (raw) => {
  const s = str(raw);
  let parsed: URL;
  try {
    parsed = new URL(s);
  } catch {
    throw new SchemaError('must be a URL like http://127.0.0.1:7766');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new SchemaError('must be an http: or https: URL');
  return s.replace(/\/+$/, '');
};

/** A VAPID contact, as push services require it: a mailto: address or an https: URL. */
const vapidSubject: Parse<string> = (raw) => {
  const s = str(raw);
  let parsed: URL | undefined;
  try {
    parsed = new URL(s);
  } catch {
    // reported below
  }
  const ok =
    parsed !== undefined &&
    ((parsed.protocol === 'mailto:' && /^[^@\s]+@[^@\s]+$/.test(parsed.pathname)) ||
      (parsed.protocol === 'https:' && parsed.hostname !== ''));
  if (!ok)
    throw new SchemaError(
      'must be a contact for push services: mailto:you@example.com or an https: URL',
    );
  return s;
};

const HOST_ENTRY =
  /^(\*|\.?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?)$/i;
/** A list given as a JSON array or one comma-separated string, each entry matching `pattern`. */
const listOf =
  (what: string, pattern: RegExp, badEntry: (entry: string) => string): Parse<string[]> =>
  (raw) => {
    const entries =
      typeof raw === 'string'
        ? raw.split(',').map((e) => e.trim())
        : Array.isArray(raw) && raw.every((e) => typeof e === 'string')
          ? raw
          : undefined;
    if (entries === undefined)
      throw new SchemaError(`must be a list of ${what}, or one string with commas between them`);
    const bad = entries.find((e) => !pattern.test(e));
    if (bad !== undefined) throw new SchemaError(badEntry(bad));
    return entries;
  };

const pushEndpointList = listOf(
  'origins',
  PUSH_ENDPOINT_PATTERN,
  (bad) =>
    `has "${bad}", which is not an origin: give scheme and host, like "https://fcm.googleapis.com"; "https://*.example.com" allows its subdomains and ":*" any port`,
);

const hostNames = listOf(
  'host names',
  HOST_ENTRY,
  (bad) =>
    `has "${bad}", which is not a host name: give names without scheme or port, like "machine-a,hub.example.com"; ".example.com" allows its subdomains and "*" any name`,
);
const hostList: Parse<string[]> = (raw) => hostNames(raw).map((e) => e.toLowerCase());

export const DEFAULT_RATE_LIMITS: HubRateLimits = {
  room_create: { burst: 100, refill: 100, period_seconds: 86400 },
  join: { burst: 100, refill: 10, period_seconds: 60 },
  room_ops: { burst: 1200, refill: 20, period_seconds: 1 },
  writes: { burst: 300, refill: 10, period_seconds: 60 },
  global_room_ops: { burst: 50000, refill: 50000, period_seconds: 86400 },
  agent_sends: { burst: 10, refill: 30, period_seconds: 60 },
};

const rateLimits: Parse<HubRateLimits> = (raw) => {
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw new SchemaError('must be a JSON object');
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SchemaError('must be an object');
  const out: HubRateLimits = structuredClone(DEFAULT_RATE_LIMITS);
  for (const [name, value] of Object.entries(raw)) {
    if (!(name in out))
      throw new SchemaError(`has unknown limit "${name}" (known: ${Object.keys(out).join(', ')})`);
    if (typeof value !== 'object' || value === null)
      throw new SchemaError(`.${name} must be an object`);
    const limit: RateLimit = { ...out[name as keyof HubRateLimits] };
    for (const [field, v] of Object.entries(value)) {
      if (!(field in limit))
        throw new SchemaError(
          `.${name} has unknown field "${field}" (known: burst, refill, period_seconds)`,
        );
      if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
        throw new SchemaError(`.${name}.${field} must be a positive number`);
      limit[field as keyof RateLimit] = v;
    }
    out[name as keyof HubRateLimits] = limit;
  }
  return out;
};

function setting<K extends keyof Config>(s: Setting<K>): Setting<K> {
  return s;
}

/** In resolution order: a default may use any setting listed before it. */
export const SETTINGS: Setting[] = [
  setting({
    key: 'host',
    env: 'HUDDLE_HOST',
    flag: 'host',
    description: 'Address the hub listens on',
    parse: str,
    default: () => '127.0.0.1',
  }),
  setting({
    key: 'port',
    env: 'HUDDLE_PORT',
    flag: 'port',
    description: 'Port the hub listens on (0 picks a free one)',
    parse: int(0, 65535),
    default: () => 7766,
  }),
  setting({
    key: 'store',
    env: 'HUDDLE_STORE',
    flag: 'store',
    description:
      'Where the hub keeps its data: sqlite:<path>, or postgres://user@host:5432/database[?schema=name] for several hubs sharing one database',
    parse: str,
    default: (c) => `sqlite:${c.home}/huddle.db`,
  }),
  setting({
    key: 'bus',
    env: 'HUDDLE_BUS',
    flag: 'bus',
    description:
      'How hubs tell each other of new events: local: (one hub), or the postgres:// store URL (LISTEN/NOTIFY); defaults to the store URL when the store is PostgreSQL',
    parse: str,
    default: (c) => (c.store && isPgUrl(c.store) ? c.store : 'local:'),
  }),
  setting({
    key: 'sync',
    env: 'HUDDLE_SYNC',
    flag: 'sync',
    description:
      'SQLite durability: full syncs every acknowledged write (off the event loop); normal skips the sync (survives a hub crash, not a power loss)',
    parse: oneOf('full', 'normal'),
    default: () => 'full' as const,
  }),
  setting({
    key: 'wal_limit_bytes',
    env: 'HUDDLE_WAL_LIMIT_BYTES',
    description:
      'SQLite: past this size the write-ahead log is copied into the database and started over, and its file cut back to this size',
    parse: int(1024 * 1024, 64 * 1024 * 1024 * 1024),
    default: () => 64 * 1024 * 1024,
  }),
  setting({
    key: 'test_sync_delay_ms',
    env: 'HUDDLE_TEST_SYNC_DELAY_MS',
    description:
      'For tests and benchmarks only: each sync of the SQLite write-ahead log waits this long first, as on a slow disk',
    parse: int(0, 10_000),
    default: () => 0,
  }),
  setting({
    key: 'url',
    env: 'HUDDLE_URL',
    flag: 'hub',
    description: 'The hub this machine talks to',
    parse: url,
    default: (c) =>
      `http://${c.host === '0.0.0.0' || c.host === '::' ? '127.0.0.1' : c.host}:${c.port || 7766}`,
  }),
  setting({
    key: 'create_secret',
    env: 'HUDDLE_CREATE_SECRET',
    flag: 'create-secret',
    secret: true,
    description: 'When set, creating a room needs this secret',
    parse: str,
    default: () => undefined,
  }),
  setting({
    key: 'open_create',
    env: 'HUDDLE_OPEN_CREATE',
    flag: 'open-create',
    description: 'Let anyone who reaches a non-loopback hub create rooms',
    parse: bool,
    default: () => false,
  }),
  setting({
    key: 'trust_proxy',
    env: 'HUDDLE_TRUST_PROXY',
    description: 'Take the client address from X-Forwarded-For (only behind a reverse proxy)',
    parse: bool,
    default: () => false,
  }),
  setting({
    key: 'public_url',
    env: 'HUDDLE_PUBLIC_URL',
    flag: 'public-url',
    description:
      'The URL people and agents use to reach the hub (https://hub.example.com behind a proxy); its host is allowed, and its origin is the hub’s own',
    parse: url,
    default: () => undefined,
  }),
  setting({
    key: 'push_subject',
    env: 'HUDDLE_PUSH_SUBJECT',
    description:
      'The contact push services see with the hub’s Web Push messages (VAPID subject): mailto:you@example.com or an https: URL; by default the public URL when it is https, else mailto:huddle@localhost',
    parse: vapidSubject,
    default: (c) =>
      c.public_url?.startsWith('https://') ? c.public_url : 'mailto:huddle@localhost',
  }),
  setting({
    key: 'push_endpoints',
    env: 'HUDDLE_PUSH_ENDPOINTS',
    description:
      'The push services the hub sends Web Push to, comma-separated origins ("https://*.push.apple.com" for subdomains, ":*" for any port); a subscription naming another is refused. By default those of Chrome, Firefox, Safari and Edge',
    parse: pushEndpointList,
    default: () => [...DEFAULT_PUSH_ENDPOINTS],
  }),
  setting({
    key: 'allowed_hosts',
    env: 'HUDDLE_ALLOWED_HOSTS',
    flag: 'allowed-hosts',
    description:
      'More host names the hub answers to, comma-separated (".example.com" for its subdomains, "*" for any); IP addresses, localhost and, on a network, this machine’s name always work',
    parse: hostList,
    default: () => [],
  }),
  setting({
    key: 'headers_timeout_seconds',
    env: 'HUDDLE_HEADERS_TIMEOUT_SECONDS',
    description:
      'A connection that has not sent a complete request head this long after it opened, or after it began a request, is closed',
    parse: int(1, 300),
    default: () => 10,
  }),
  setting({
    key: 'keep_alive_timeout_seconds',
    env: 'HUDDLE_KEEP_ALIVE_TIMEOUT_SECONDS',
    description:
      'An idle kept-alive connection is closed after this long; keep it above the idle timeout of a reverse proxy in front',
    parse: int(1, 3600),
    default: () => 65,
  }),
  setting({
    key: 'log_level',
    env: 'HUDDLE_LOG_LEVEL',
    flag: 'log-level',
    description: 'debug, info, warn or error',
    parse: oneOf('debug', 'info', 'warn', 'error'),
    default: () => 'info' as const,
  }),
  setting({
    key: 'log_format',
    env: 'HUDDLE_LOG_FORMAT',
    description: 'json (one object a line), pretty, or auto (pretty in a terminal)',
    parse: oneOf('auto', 'json', 'pretty'),
    default: () => 'auto' as const,
  }),
  setting({
    key: 'code_ttl_seconds',
    env: 'HUDDLE_CODE_TTL_SECONDS',
    description: 'How long a pair code stays valid',
    parse: int(10, 86400),
    default: () => 600,
  }),
  setting({
    key: 'idempotency_retention_seconds',
    description: 'How long idempotency keys are remembered',
    parse: int(60, 30 * 86400),
    default: () => 86400,
  }),
  setting({
    key: 'body_limit_bytes',
    description: 'Largest request body the hub reads',
    parse: int(64 * 1024 * 2, 64 * 1024 * 1024),
    default: () => 1024 * 1024,
  }),
  setting({
    key: 'max_reply_depth',
    env: 'HUDDLE_MAX_REPLY_DEPTH',
    description: 'Replies between agents allowed in one reply chain before a human speaks again',
    parse: int(1, 1000),
    default: () => 8,
  }),
  setting({
    key: 'max_recipients',
    env: 'HUDDLE_MAX_RECIPIENTS',
    description: 'Recipients allowed in an explicit list ("*" counts once)',
    parse: int(1, 1000),
    default: () => 16,
  }),
  setting({
    key: 'duplicate_window_seconds',
    env: 'HUDDLE_DUPLICATE_WINDOW_SECONDS',
    description:
      'The same message to the same recipients within this window is refused as a duplicate',
    parse: int(0, 3600),
    default: () => 10,
  }),
  setting({
    key: 'heartbeat_seconds',
    env: 'HUDDLE_HEARTBEAT_SECONDS',
    description:
      'How often the hub pings stream connections; one that has not answered the previous ping is closed',
    parse: int(1, 3600),
    default: () => 15,
  }),
  setting({
    key: 'offline_after_seconds',
    env: 'HUDDLE_OFFLINE_AFTER_SECONDS',
    description: 'An agent with no live connection and no heartbeat for this long goes offline',
    parse: int(2, 86400),
    default: () => 60,
  }),
  setting({
    key: 'lease_ttl_seconds',
    env: 'HUDDLE_LEASE_TTL_SECONDS',
    description:
      'How long a file lease lasts when the request names no TTL (renewable; the MCP bridge renews its agent’s leases)',
    parse: int(10, 7 * 24 * 3600),
    default: () => 1800,
  }),
  setting({
    key: 'lease_offline_grace_seconds',
    env: 'HUDDLE_LEASE_OFFLINE_GRACE_SECONDS',
    description: 'The leases of an agent offline (not seen) for this long end',
    parse: int(0, 7 * 24 * 3600),
    default: () => 300,
  }),
  setting({
    key: 'stream_buffer_limit_bytes',
    env: 'HUDDLE_STREAM_BUFFER_LIMIT_BYTES',
    description:
      'Bytes a stream connection may have waiting to be sent before it is closed as too slow (resumable)',
    parse: int(64 * 1024, 1024 * 1024 * 1024),
    default: () => 8 * 1024 * 1024,
  }),
  setting({
    key: 'approval_timeout_seconds',
    env: 'HUDDLE_APPROVAL_TIMEOUT_SECONDS',
    description:
      'How long an approval request waits for a person before the agent’s client asks in its own prompt; a request may ask for less',
    parse: int(10, 3600),
    default: () => 300,
  }),
  setting({
    key: 'rate_limits',
    env: 'HUDDLE_RATE_LIMITS',
    description:
      'Rate limits: room_create, join, room_ops, writes, global_room_ops, agent_sends, each {burst, refill, period_seconds}',
    parse: rateLimits,
    default: () => structuredClone(DEFAULT_RATE_LIMITS),
  }),
];

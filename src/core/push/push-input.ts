// Checks a Web Push subscription as a browser gives it: the push service's endpoint and the
// browser's encryption keys, each refusal naming the field and the rule.

import { ECDH } from 'node:crypto';
import { HuddleError } from '../errors.js';

/** Longest endpoint URL accepted; the push services' own are a few hundred characters. */
export const PUSH_ENDPOINT_MAX_CHARS = 1024;
/** Push subscriptions one member may keep in one room (one per browser or device). */
export const PUSH_SUBSCRIPTIONS_PER_MEMBER = 10;

export interface PushSubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

const invalid = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new HuddleError('invalid', 'invalid_push_subscription', message, {
    details: { field, ...details },
  });

/**
 * The push services of the browsers people use. A subscription's endpoint is a URL the hub will
 * POST to, so it must be one of these (or what the hub's owner added): no room member can make
 * the hub send requests to an address inside its network.
 */
export const DEFAULT_PUSH_ENDPOINTS: readonly string[] = [
  'https://fcm.googleapis.com', // Chrome, Chromium browsers, Android
  'https://*.push.services.mozilla.com', // Firefox
  'https://*.push.apple.com', // Safari
  'https://*.notify.windows.com', // Edge
];

/** An allowed origin: scheme, host (`*.` for any subdomain), and `:port` or `:*`. */
export const PUSH_ENDPOINT_PATTERN =
  /^(https?):\/\/(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:(\d{1,5}|\*))?$/i;

/** Whether a URL's origin is one the hub may send pushes to. */
export function pushEndpointAllowed(url: URL, allowed: readonly string[]): boolean {
  return allowed.some((entry) => {
    const m = PUSH_ENDPOINT_PATTERN.exec(entry);
    if (!m) return false;
    const [, scheme, wildcard, host, , , port] = m;
    if (url.protocol !== `${scheme!.toLowerCase()}:`) return false;
    const name = url.hostname.toLowerCase();
    const base = host!.toLowerCase();
    if (wildcard ? !name.endsWith(`.${base}`) : name !== base) return false;
    return port === '*' || url.port === (port ?? '');
  });
}

/**
 * The endpoint as stored: a URL without credentials or fragment, at most
 * PUSH_ENDPOINT_MAX_CHARS long, at one of the `allowed` push services (any, when unsubscribing:
 * a subscription stored before the list changed can still be removed).
 */
export function parsePushEndpoint(endpoint: string, allowed: readonly string[] | 'any'): string {
  if (endpoint.length === 0 || endpoint.length > PUSH_ENDPOINT_MAX_CHARS) {
    throw invalid(
      'endpoint',
      `endpoint must be a URL of 1 to ${PUSH_ENDPOINT_MAX_CHARS} characters (it has ${endpoint.length}).`,
      { max: PUSH_ENDPOINT_MAX_CHARS },
    );
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalid('endpoint', 'endpoint is not a URL: give the browser subscription’s endpoint.');
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') {
    throw invalid('endpoint', 'endpoint must not carry a user name, a password or a #fragment.');
  }
  if (allowed !== 'any' && !pushEndpointAllowed(url, allowed)) {
    throw invalid(
      'endpoint',
      `endpoint ${url.origin} is not a push service this hub sends to (${allowed.join(', ')}). The hub's owner may add it with push_endpoints (HUDDLE_PUSH_ENDPOINTS).`,
      { allowed: [...allowed] },
    );
  }
  return endpoint;
}

/** A base64url key without padding, decoding to exactly `bytes` bytes. */
function parseKey(field: string, value: string, bytes: number): string {
  const text = value.replace(/=+$/, '');
  if (!/^[A-Za-z0-9_-]+$/.test(text) || Buffer.from(text, 'base64url').length !== bytes) {
    throw invalid(
      field,
      `${field} must be ${bytes} bytes in base64url (as PushSubscription.toJSON() gives it).`,
      { bytes },
    );
  }
  return text;
}

/** The endpoint and keys as stored; the p256dh key must be a point on the P-256 curve. */
export function parsePushSubscription(
  input: PushSubscriptionInput,
  allowed: readonly string[],
): {
  endpoint: string;
  p256dh: string;
  auth: string;
} {
  const endpoint = parsePushEndpoint(input.endpoint, allowed);
  const p256dh = parseKey('keys.p256dh', input.keys.p256dh, 65);
  try {
    ECDH.convertKey(Buffer.from(p256dh, 'base64url'), 'prime256v1');
  } catch {
    throw invalid('keys.p256dh', 'keys.p256dh is not a P-256 public key.', { bytes: 65 });
  }
  const auth = parseKey('keys.auth', input.keys.auth, 16);
  return { endpoint, p256dh, auth };
}

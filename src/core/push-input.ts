// Checks a Web Push subscription as a browser gives it: the push service's endpoint and the
// browser's encryption keys, each refusal naming the field and the rule.

import { ECDH } from 'node:crypto';
import { HuddleError } from './errors.js';
import { isLoopbackHost } from './loopback.js';

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
 * The endpoint as stored: an https URL without credentials or fragment, at most
 * PUSH_ENDPOINT_MAX_CHARS long; plain http only to this machine's loopback (a local stand-in).
 */
export function parsePushEndpoint(endpoint: string): string {
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
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw invalid(
      'endpoint',
      `endpoint must be an https: URL (plain http only to this machine's loopback), not ${url.protocol}.`,
    );
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') {
    throw invalid('endpoint', 'endpoint must not carry a user name, a password or a #fragment.');
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
export function parsePushSubscription(input: PushSubscriptionInput): {
  endpoint: string;
  p256dh: string;
  auth: string;
} {
  const endpoint = parsePushEndpoint(input.endpoint);
  const p256dh = parseKey('keys.p256dh', input.keys.p256dh, 65);
  try {
    ECDH.convertKey(Buffer.from(p256dh, 'base64url'), 'prime256v1');
  } catch {
    throw invalid('keys.p256dh', 'keys.p256dh is not a P-256 public key.', { bytes: 65 });
  }
  const auth = parseKey('keys.auth', input.keys.auth, 16);
  return { endpoint, p256dh, auth };
}

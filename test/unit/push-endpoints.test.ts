// Which push services a hub sends to: the browsers' own by default, origins its owner adds, and
// nothing inside the network unless the owner says so.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { DEFAULT_PUSH_ENDPOINTS, pushEndpointAllowed } from '../../src/core/push/push-input.js';

const allowed = (url: string, list: readonly string[] = DEFAULT_PUSH_ENDPOINTS) =>
  pushEndpointAllowed(new URL(url), list);

test('the browsers’ push services are allowed by default, and nothing else', () => {
  assert.ok(allowed('https://fcm.googleapis.com/fcm/send/abc:def'));
  assert.ok(allowed('https://updates.push.services.mozilla.com/wpush/v2/gAAA'));
  assert.ok(allowed('https://web.push.apple.com/QGuQyavXutnMei'));
  assert.ok(allowed('https://wns2-by3p.notify.windows.com/w/?token=x'));
  for (const url of [
    'http://fcm.googleapis.com/fcm/send/x',
    'https://fcm.googleapis.com:8443/fcm/send/x',
    'https://fcm.googleapis.com.evil.example/x',
    'https://evilfcm.googleapis.com/x',
    'https://push.apple.com/x',
    'https://127.0.0.1/x',
    'http://localhost:7766/v1/rooms',
    'https://10.0.0.5/x',
    'https://[::1]/x',
  ])
    assert.equal(allowed(url), false, url);
});

test('an owner’s entries: exact hosts, subdomains, a port or any port', () => {
  const list = ['http://127.0.0.1:*', 'https://push.example.com:8443', 'https://*.corp.example'];
  assert.ok(allowed('http://127.0.0.1:5000/p/1', list));
  assert.ok(allowed('http://127.0.0.1/p/1', list));
  assert.equal(allowed('https://127.0.0.1:5000/p/1', list), false);
  assert.ok(allowed('https://push.example.com:8443/x', list));
  assert.equal(allowed('https://push.example.com/x', list), false);
  assert.ok(allowed('https://a.b.corp.example/x', list));
  assert.equal(allowed('https://corp.example/x', list), false);
});

test('push_endpoints is read from the environment, and a bad entry is refused naming it', () => {
  const env = { HUDDLE_HOME: '/nonexistent-huddle-home' };
  const { config } = loadConfig({ env, homedir: '/nonexistent' });
  assert.deepEqual(config.push_endpoints, [...DEFAULT_PUSH_ENDPOINTS]);
  const set = loadConfig({
    env: { ...env, HUDDLE_PUSH_ENDPOINTS: 'http://127.0.0.1:*, https://push.example.com' },
    homedir: '/nonexistent',
  });
  assert.deepEqual(set.config.push_endpoints, ['http://127.0.0.1:*', 'https://push.example.com']);
  assert.throws(
    () =>
      loadConfig({
        env: { ...env, HUDDLE_PUSH_ENDPOINTS: 'fcm.googleapis.com' },
        homedir: '/nonexistent',
      }),
    /push_endpoints.*"fcm\.googleapis\.com", which is not an origin/s,
  );
});

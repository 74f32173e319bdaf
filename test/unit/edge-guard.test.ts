// The edge rules one request at a time: which Host names, Origins, Sec-Fetch-Site values and
// content types the hub answers to, for a loopback hub and for one that serves a network.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { edgePolicy, edgeRefusal, type EdgePolicy } from '../../src/server/edge-guard.js';

const loopback = edgePolicy({ host: '127.0.0.1', public_url: undefined, allowed_hosts: [] }, false);

/** The refusal code for a request, or 'ok'. */
function verdict(policy: EdgePolicy, method: string, headers: Record<string, string>): string {
  const err = edgeRefusal(policy, method, (name) => headers[name]);
  return err ? err.code : 'ok';
}
const get = (policy: EdgePolicy, headers: Record<string, string>) =>
  verdict(policy, 'GET', headers);

describe('Host', () => {
  it('answers to IP literals and loopback names on any port, and to nothing else by default', () => {
    for (const host of [
      '127.0.0.1:7766',
      '127.0.0.1',
      '[::1]:7766',
      '192.168.1.20:7766',
      'localhost:7766',
      'LOCALHOST',
      'app.localhost:7766',
      'localhost.:7766',
    ])
      assert.equal(get(loopback, { host }), 'ok', host);
    for (const host of [
      'evil.example',
      'evil.example:7766',
      'machine-a:7766',
      'localhost.evil.example',
    ])
      assert.equal(get(loopback, { host }), 'host_not_allowed', host);
  });

  it('refuses a missing or malformed Host', () => {
    assert.equal(get(loopback, {}), 'host_not_allowed');
    assert.equal(get(loopback, { host: 'evil.example@127.0.0.1' }), 'host_not_allowed');
    assert.equal(get(loopback, { host: '127.0.0.1/x' }), 'host_not_allowed');
  });

  it('names what to set, on the hub, to allow the name', () => {
    const err = edgeRefusal(loopback, 'GET', (n) => (n === 'host' ? 'machine-a:7766' : undefined));
    assert.equal(err?.kind, 'forbidden');
    assert.match(err!.message, /"machine-a"/);
    assert.match(err!.message, /--allowed-hosts machine-a \(HUDDLE_ALLOWED_HOSTS/);
    assert.match(err!.message, /--public-url http:\/\/machine-a:7766 \(HUDDLE_PUBLIC_URL\)/);
    assert.deepEqual(err!.details, { host: 'machine-a' });
  });

  it("on a network, answers to this machine's names; on loopback it does not", () => {
    const settings = { host: '0.0.0.0', public_url: undefined, allowed_hosts: [] };
    const network = edgePolicy(settings, true, 'Machine-A.lan');
    for (const host of ['machine-a:7766', 'machine-a.lan:7766', 'machine-a.local:7766'])
      assert.equal(get(network, { host }), 'ok', host);
    assert.equal(get(network, { host: 'machine-b:7766' }), 'host_not_allowed');
    const local = edgePolicy({ ...settings, host: '127.0.0.1' }, false, 'machine-a');
    assert.equal(get(local, { host: 'machine-a:7766' }), 'host_not_allowed');
  });

  it('answers to the public URL host, the listen name and the allowed hosts', () => {
    const policy = edgePolicy(
      {
        host: 'hub.lan',
        public_url: 'https://hub.example.com',
        allowed_hosts: ['machine-a', '.corp.example'],
      },
      true,
      '',
    );
    for (const host of [
      'hub.example.com',
      'hub.lan:7766',
      'machine-a:7766',
      'corp.example',
      'x.corp.example',
      'a.b.corp.example:7766',
    ])
      assert.equal(get(policy, { host }), 'ok', host);
    for (const host of ['evilcorp.example', 'hub.example.com.evil.example'])
      assert.equal(get(policy, { host }), 'host_not_allowed', host);
    const any = edgePolicy({ host: '0.0.0.0', public_url: undefined, allowed_hosts: ['*'] }, true);
    assert.equal(get(any, { host: 'whatever.example' }), 'ok');
  });
});

describe('Origin and Sec-Fetch-Site', () => {
  const host = '127.0.0.1:7766';

  it("accepts only the hub's own origin", () => {
    assert.equal(get(loopback, { host, origin: 'http://127.0.0.1:7766' }), 'ok');
    assert.equal(get(loopback, { host, origin: 'https://127.0.0.1:7766' }), 'ok');
    for (const origin of [
      'http://127.0.0.1:3000',
      'http://localhost:7766',
      'https://evil.example',
      'null',
      'file://',
      'chrome-extension://abc',
      'not a url',
    ])
      assert.equal(get(loopback, { host, origin }), 'origin_not_allowed', origin);
  });

  it("leaves out a scheme's default port, and accepts the public URL's origin behind a proxy", () => {
    const policy = edgePolicy(
      { host: '127.0.0.1', public_url: 'https://hub.example.com', allowed_hosts: [] },
      false,
    );
    const origin = 'https://hub.example.com';
    assert.equal(get(policy, { host: 'hub.example.com', origin }), 'ok');
    assert.equal(get(policy, { host: 'hub.example.com:443', origin }), 'ok');
    assert.equal(get(policy, { host, origin }), 'ok', 'a proxy that sends its own Host');
    assert.equal(get(policy, { host, origin: 'http://hub.example.com' }), 'origin_not_allowed');
  });

  it('refuses what the browser marks cross-site or same-site, except following a link', () => {
    for (const site of ['cross-site', 'same-site'])
      assert.equal(get(loopback, { host, 'sec-fetch-site': site }), 'origin_not_allowed', site);
    for (const site of ['same-origin', 'none'])
      assert.equal(get(loopback, { host, 'sec-fetch-site': site }), 'ok', site);
    const link = { host, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' };
    assert.equal(get(loopback, link), 'ok');
    assert.equal(
      verdict(loopback, 'POST', { ...link, 'content-type': 'application/json' }),
      'origin_not_allowed',
      'a form posted from another site',
    );
  });
});

describe('Content-Type', () => {
  const host = '127.0.0.1:7766';

  it('needs application/json on POST, PUT and PATCH, even with no body', () => {
    for (const method of ['POST', 'PUT', 'PATCH']) {
      assert.equal(verdict(loopback, method, { host }), 'unsupported_media_type', method);
      for (const type of [
        'text/plain',
        'text/plain;charset=UTF-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/jsonp',
      ])
        assert.equal(
          verdict(loopback, method, { host, 'content-type': type }),
          'unsupported_media_type',
        );
      for (const type of [
        'application/json',
        'application/json; charset=utf-8',
        'Application/JSON',
      ])
        assert.equal(verdict(loopback, method, { host, 'content-type': type }), 'ok', type);
    }
    for (const method of ['GET', 'HEAD', 'DELETE', 'OPTIONS'])
      assert.equal(verdict(loopback, method, { host }), 'ok', method);
  });
});

// The cockpit's files: served with a strict CSP, page paths answered with index.html, nothing
// outside the build, the API untouched, and a clear page when the build is missing.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Hono } from 'hono';
import type { Env } from '../../src/server/app.js';
import { COCKPIT_CSP, registerWebAssets } from '../../src/server/web-assets.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
after(() => dir.remove());
const root = join(dir.path, 'web');
mkdirSync(join(root, 'assets'), { recursive: true });
writeFileSync(join(root, 'index.html'), '<!doctype html><title>cockpit</title>');
writeFileSync(join(root, 'assets', 'app-1a2b.js'), 'console.log(1)');
writeFileSync(join(root, 'manifest.webmanifest'), '{}');
writeFileSync(join(root, '.secret'), 'no');
writeFileSync(join(dir.path, 'outside.txt'), 'outside');

function app(rootDir: string) {
  const a = new Hono<Env>();
  registerWebAssets(a, rootDir);
  a.get('/v1/rooms', (c) => c.json({ api: true }));
  a.notFound((c) => c.json({ error: 'route_not_found' }, 404));
  return a;
}

describe('web assets', () => {
  const web = app(root);

  test('the page, its routes and its assets, each with the CSP and the right caching', async () => {
    for (const path of ['/', '/join', '/open', '/rooms/demo']) {
      const res = await web.request(path);
      assert.equal(res.status, 200, path);
      assert.equal(await res.text(), '<!doctype html><title>cockpit</title>');
      assert.equal(res.headers.get('content-security-policy'), COCKPIT_CSP);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.match(res.headers.get('content-type')!, /^text\/html/);
    }
    const js = await web.request('/assets/app-1a2b.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type')!, /^text\/javascript/);
    assert.match(js.headers.get('cache-control')!, /immutable/);
    const manifest = await web.request('/manifest.webmanifest');
    assert.equal(manifest.headers.get('content-type'), 'application/manifest+json');
    assert.doesNotMatch(COCKPIT_CSP, /unsafe-inline|unsafe-eval/);
  });

  test('nothing outside the build, no hidden files, unknown files are 404, the API is left alone', async () => {
    for (const path of [
      '/../outside.txt',
      '/assets/%2e%2e/%2e%2e/outside.txt',
      '/.secret',
      '/missing.js',
    ]) {
      const res = await web.request(path);
      assert.equal(res.status, 404, path);
    }
    const api = await web.request('/v1/rooms');
    assert.deepEqual(await api.json(), { api: true });
    const unknownApi = await web.request('/v1/nothing');
    assert.equal(unknownApi.status, 404);
    assert.deepEqual(await unknownApi.json(), { error: 'route_not_found' });
  });

  test('without a build the page says how to make one', async () => {
    const res = await app(join(dir.path, 'nowhere')).request('/');
    assert.equal(res.status, 503);
    assert.match(await res.text(), /npm run build/);
    assert.equal(res.headers.get('content-security-policy'), COCKPIT_CSP);
  });
});

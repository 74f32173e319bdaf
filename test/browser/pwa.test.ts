// The cockpit as an installable app: manifest, service worker that keeps only the app shell
// (never an API answer), an offline start from that shell, and a Web Push message shown as a
// notification that names where it opens.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHubClient } from '../../src/client/hub-client.js';
import { browserSkip, launchBrowser } from '../helpers/browser.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

declare const navigator: any;
declare const caches: any;

const skip = browserSkip();

describe('the cockpit as an app', { skip }, () => {
  let hub: TestHub;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;

  before(async () => {
    hub = await startTestHub();
    browser = await launchBrowser();
    ctx = await browser.newContext();
    await ctx.grantPermissions(['notifications'], { origin: hub.url });
    page = await ctx.newPage();
    const created = await createHubClient({ url: hub.url }).createRoom({
      name: 'app',
      label: 'laptop',
    });
    const admin = createHubClient({ url: hub.url, token: created.token });
    const { code } = await admin.createCode('app', { scopes: ['read', 'write'] });
    await page.goto(`${hub.url}/join#${code}`);
    await page.getByLabel(/Your name/).fill('alice');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Needs you' }).waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready);
  });

  after(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('serves a manifest with icons', async () => {
    const res = await page.request.get(`${hub.url}/manifest.webmanifest`);
    assert.equal(res.status(), 200);
    const m = await res.json();
    assert.equal(m.start_url, '/#/');
    for (const icon of m.icons as { src: string }[])
      assert.equal((await page.request.get(`${hub.url}${icon.src}`)).status(), 200, icon.src);
  });

  it('keeps the app shell and never an API answer', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Needs you' }).waitFor();
    const cached: string[] = await page.evaluate(async () => {
      const out: string[] = [];
      for (const name of await caches.keys())
        for (const req of await (await caches.open(name)).keys())
          out.push(new URL(req.url).pathname);
      return out;
    });
    assert.ok(cached.includes('/'), cached.join(' '));
    assert.ok(
      cached.some((p) => p.startsWith('/assets/') && p.endsWith('.js')),
      cached.join(' '),
    );
    assert.deepEqual(
      cached.filter((p) => p.startsWith('/v1/')),
      [],
    );
  });

  it('starts offline from the kept shell, says it cannot reach the hub, and connects by itself', async () => {
    await ctx.setOffline(true);
    try {
      await page.reload();
      // At once when the request fails, or after the page's 5 s limit when it hangs.
      await page
        .getByRole('heading', { name: 'Cannot reach the hub' })
        .waitFor({ timeout: 10_000 });
    } finally {
      await ctx.setOffline(false);
    }
    await page.getByRole('heading', { name: 'Needs you' }).waitFor({ timeout: 20_000 });
  });

  it('shows a push as a notification that opens the thing it names', async () => {
    const cdp = await ctx.newCDPSession(page);
    const registration = new Promise<string>((resolve) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
        const r = e.registrations.find((x) => !x.isDeleted);
        if (r) resolve(r.registrationId);
      }),
    );
    await cdp.send('ServiceWorker.enable');
    const payload = {
      title: 'claude-api wants to use Bash',
      body: 'rm -rf build',
      url: '/#/rooms/app/approvals/apr_1',
      tag: 'approval:apr_1',
      room: 'app',
      kind: 'approval',
    };
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: hub.url,
      registrationId: await registration,
      data: JSON.stringify(payload),
    });
    // The worker shows it a moment after the push: the page looks until it is there. (Polling
    // with waitForFunction and an async predicate once answered null before it was shown.)
    const shown = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      for (const until = Date.now() + 5000; Date.now() < until;) {
        const [n] = await reg.getNotifications();
        if (n) return { title: n.title, body: n.body, tag: n.tag, url: n.data?.url };
        await new Promise((r) => setTimeout(r, 50));
      }
      return null;
    });
    assert.deepEqual(shown, {
      title: payload.title,
      body: payload.body,
      tag: payload.tag,
      url: payload.url,
    });
  });
});

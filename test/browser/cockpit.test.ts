// The cockpit in a real browser against a real hub: sign-in, live timeline, compose with
// receipts, board, checkpoint conflict, revocation, stream resume, safe rendering, screenshots
// of every view, and the time from an agent's send to the message painted.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHubClient, HubError } from '../../src/client/hub-client.js';
import { browserSkip, darkScreenshot, launchBrowser, screenshots } from '../helpers/browser.js';
import { huddleOk } from '../helpers/cli.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';

// The page's globals, for the functions the tests run in it (the suite compiles without DOM types).
declare const document: any;
declare const window: any;

const skip = browserSkip();
const ROOM = 'demo';

describe('the cockpit in a browser', { skip }, () => {
  let hub: TestHub;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let admin: ReturnType<typeof createHubClient>;
  const pageErrors: string[] = [];
  let binaryFrames = 0;

  before(async () => {
    hub = await startTestHub();
    const created = await createHubClient({ url: hub.url }).createRoom({
      name: ROOM,
      label: 'laptop',
    });
    admin = createHubClient({ url: hub.url, token: created.token });
    await admin.registerAgent(ROOM, {
      name: 'claude-a',
      client: 'claude-code',
      host: 'laptop',
      cwd: '/home/ana/api',
    });
    await admin.registerAgent(ROOM, { name: 'codex-b', client: 'codex', host: 'ci-1' });
    browser = await launchBrowser();
    ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        if (typeof f.payload !== 'string') binaryFrames++;
      }),
    );
  });

  after(async () => {
    await browser?.close();
    await hub?.stop();
    assert.deepEqual(pageErrors, [], 'the page threw');
    assert.equal(binaryFrames, 0, 'every frame from the hub is a text frame');
  });

  const code = async (scopes: string[]) =>
    (await admin.createCode(ROOM, { scopes: scopes as never })).code;

  /** Waits until `fn(arg)`, run in the page, is truthy (functions, not strings: the CSP forbids eval). */
  const until = (fn: (arg: any) => unknown, arg?: unknown, timeout = 5000) =>
    page.waitForFunction(fn, arg, { timeout });
  const live = () => document.querySelector('.conn-live') !== null;
  const ladderAt = (step: string) =>
    document.querySelector('.entry.mine .ladder li[data-agent="claude-a"]')?.dataset.step === step;

  it('signs in with a typed pair code', async () => {
    await page.goto(hub.url);
    await page.getByRole('heading', { name: 'Sign in to huddle' }).waitFor();
    await screenshots(page, 'sign-in');
    await page.getByRole('textbox', { name: 'Pair code' }).fill(await code(['admin']));
    await page.getByLabel(/Your name/).fill('alice');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Needs you' }).waitFor();
    await until(live);
    const agents = (await admin.agents(ROOM)).agents.map((a) => [a.name, a.client]);
    assert.ok(
      agents.some(([n, c]) => n === 'alice' && c === 'human'),
      JSON.stringify(agents),
    );
  });

  it('signs in with a join link in another browser', async () => {
    const other = await browser.newContext();
    const p = await other.newPage();
    const c = await code(['read', 'write']);
    await p.goto(`${hub.url}/join#${c}`);
    assert.equal(await p.getByRole('textbox', { name: 'Pair code' }).inputValue(), c);
    await p.getByLabel(/Your name/).fill('bob');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Needs you' }).waitFor();
    assert.equal(new URL(p.url()).pathname, '/');
    await other.close();
  });

  it('a person whose code gave no write scope watches the room and is told why it cannot send', async () => {
    const other = await browser.newContext();
    const p = await other.newPage();
    p.on('pageerror', (e) => pageErrors.push(String(e)));
    await p.goto(`${hub.url}/join#${await code(['read'])}`);
    await p.getByLabel(/Your name/).fill('watcher');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Needs you' }).waitFor();
    await p.goto(`${hub.url}/#/rooms/${ROOM}`);
    await p.getByText('You watch this room').waitFor();
    assert.equal(await p.getByRole('button', { name: 'Send' }).count(), 0);
    await other.close();
  });

  it("shows an agent's message sent through the CLI within a second, without a reload", async () => {
    const dir = tempDir('huddle-cockpit-cli-');
    try {
      const cli = { home: dir.path, url: hub.url };
      await huddleOk(['join', await code(['read', 'write']), '--label', 'ci-box'], cli);
      await huddleOk(['agent', ROOM, 'cli-bot'], cli);
      await huddleOk(
        [
          'send',
          ROOM,
          'alice',
          'Should I **migrate** the `users` table now?',
          '--kind',
          'question',
          '--as',
          'cli-bot',
        ],
        cli,
      );
      const sent = Date.now();
      await page.locator('.card.message', { hasText: 'migrate' }).waitFor({ timeout: 1000 });
      assert.ok(Date.now() - sent < 1000);
    } finally {
      dir.remove();
    }
    await admin.send(ROOM, 'claude-a', {
      to: 'alice',
      body: 'The change is in the users module.',
      refs: [{ path: 'src/db/users.ts', start_line: 10, end_line: 42 }],
    });
    await page.locator('.card.message', { hasText: 'users module' }).waitFor({ timeout: 1000 });
    await screenshots(page, 'needs-you');
    await page.goto(`${hub.url}/#/rooms/${ROOM}`);
    const entry = page.locator('.entry.msg', { hasText: 'migrate' });
    await entry.waitFor();
    assert.equal(await entry.locator('strong', { hasText: 'migrate' }).count(), 1);
    const withRef = page.locator('.entry.msg', { hasText: 'users module' });
    assert.equal(await withRef.locator('.refs code').innerText(), 'src/db/users.ts:10-42');
  });

  it('shows an agent that starts waiting under Needs you, and drops it when it goes on', async () => {
    await page.goto(`${hub.url}/#/`);
    await admin.heartbeat(ROOM, 'codex-b', 'waiting');
    const waiting = page.locator('.card.waiting', { hasText: 'codex-b is waiting' });
    await waiting.waitFor({ timeout: 1000 });
    await admin.heartbeat(ROOM, 'codex-b', 'working');
    await waiting.waitFor({ state: 'detached', timeout: 1000 });
    await page.goto(`${hub.url}/#/rooms/${ROOM}`);
  });

  it("sends as the person; the agent's inbox has it and the receipts move on the page", async () => {
    await page.getByRole('combobox', { name: 'To' }).selectOption('claude-a');
    await page.getByLabel('Message', { exact: true }).fill('Yes, migrate it.');
    await page.getByRole('button', { name: 'Send' }).click();
    const mine = page.locator('.entry.mine', { hasText: 'Yes, migrate it.' });
    await mine.waitFor();
    const inbox = await admin.peekInbox(ROOM, 'claude-a');
    const item = inbox.messages.find((i) => i.message.body === 'Yes, migrate it.');
    assert.ok(item, 'the agent got the message');
    assert.equal(item.message.from, 'alice');
    const step = () => mine.locator('.ladder li[data-agent="claude-a"]').getAttribute('data-step');
    assert.equal(await step(), 'stored');
    await admin.readInbox(ROOM, 'claude-a', { ids: [item.message.id] });
    await until(ladderAt, 'read');
    await admin.ack(ROOM, 'claude-a', [item.message.id]);
    await until(ladderAt, 'acked');
    await screenshots(page, 'timeline');
    await darkScreenshot(page, 'timeline');
  });

  it('renders <script> and <img onerror> in a body as text', async () => {
    const body = 'look <script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2">';
    await admin.send(ROOM, 'claude-a', { to: '*', body });
    const entry = page.locator('.entry.msg', { hasText: 'window.__pwned=1' });
    await entry.waitFor();
    assert.equal(await entry.locator('script, img').count(), 0);
    assert.ok((await entry.innerText()).includes('<img src=x onerror="window.__pwned=2">'));
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
  });

  it('moves a task on the board live as an agent creates and claims it', async () => {
    await page.goto(`${hub.url}/#/rooms/${ROOM}/board`);
    await page.getByRole('heading', { name: /^Open/ }).waitFor();
    const created = await admin.addTask(ROOM, 'claude-a', {
      title: 'Write the migration',
      priority: 'high',
    });
    const id = created.task.id;
    await page.locator(`[data-status="open"] [data-task="${id}"]`).waitFor({ timeout: 2000 });
    await admin.taskStep(ROOM, 'codex-b', id, 'claim');
    await page.locator(`[data-status="claimed"] [data-task="${id}"]`).waitFor({ timeout: 2000 });
    assert.equal(await page.locator(`[data-status="open"] [data-task="${id}"]`).count(), 0);
    assert.match(await page.locator(`[data-task="${id}"]`).innerText(), /assignee codex-b/);
    // The person creates one too.
    await page.getByRole('textbox', { name: 'New task' }).fill('Review the migration');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('[data-status="open"] .task', { hasText: 'Review the migration' }).waitFor();
    await screenshots(page, 'board');
    await darkScreenshot(page, 'board');
  });

  it('shows a checkpoint conflict and resolves it', async () => {
    await admin.setCheckpoint(ROOM, '## Plan\n- migrate users', 0);
    await page.goto(`${hub.url}/#/rooms/${ROOM}/checkpoint`);
    await page.locator('.md h2', { hasText: 'Plan' }).waitFor();
    await screenshots(page, 'checkpoint');
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel(/Editing version 1/).fill('## Plan\n- migrate users\n- by alice');
    await admin.setCheckpoint(ROOM, '## Plan\n- migrate users\n- by claude', 1);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'Someone saved first' }).waitFor();
    assert.match(await page.locator('.cp-text.theirs').innerText(), /by claude/);
    assert.match(await page.locator('.cp-text.yours').innerText(), /by alice/);
    await screenshots(page, 'checkpoint-conflict');
    await page.getByLabel('Merged text').fill('## Plan\n- migrate users\n- by claude\n- by alice');
    await page.getByRole('button', { name: 'Save over version 2' }).click();
    await page.locator('.md li', { hasText: 'by alice' }).waitFor();
    const cp = await admin.getCheckpoint(ROOM);
    assert.equal(cp.checkpoint.version, 3);
    assert.equal(cp.checkpoint.text, '## Plan\n- migrate users\n- by claude\n- by alice');
  });

  it('shows agents, and variables, leases and devices', async () => {
    await page.goto(`${hub.url}/#/rooms/${ROOM}/agents`);
    await page.locator('[data-agent="claude-a"]').waitFor();
    await screenshots(page, 'agents');
    await page.goto(`${hub.url}/#/rooms/${ROOM}/admin`);
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    await screenshots(page, 'admin');
  });

  it('revokes a device; its next request fails', async () => {
    const joined = await createHubClient({ url: hub.url }).join({
      code: await code(['read', 'write']),
      label: 'old-phone',
    });
    const device = createHubClient({ url: hub.url, token: joined.token });
    await device.whoami(ROOM);
    await page.goto(`${hub.url}/#/rooms/${ROOM}/admin`);
    const row = page.locator(`[data-member="${joined.member.id}"]`);
    await row.waitFor();
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByText(/revoked/).waitFor();
    await assert.rejects(device.whoami(ROOM), (e: HubError) => e.code === 'unknown_token');
    await page.getByRole('button', { name: 'Make pair code' }).click();
    await page.locator('.code-out img.qr').waitFor();
    assert.match(await page.locator('.code-out a').innerText(), /\/join#[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await screenshots(page, 'pair-code');
  });

  it('resumes after the stream drops without losing or repeating an event', async () => {
    await page.goto(`${hub.url}/#/rooms/${ROOM}`);
    await until(live);
    await page.evaluate(() => window.huddleStream.drop());
    for (let i = 0; i < 5; i++)
      await admin.send(ROOM, 'claude-a', { to: '*', body: `during the drop ${i}` });
    await until(() =>
      [...document.querySelectorAll('.entry.msg')].some((e: any) =>
        e.textContent.includes('during the drop 4'),
      ),
    );
    await admin.send(ROOM, 'claude-a', { to: '*', body: 'after the drop' });
    await page.locator('.entry.msg', { hasText: 'after the drop' }).waitFor();
    const seqs: number[] = await page.evaluate(() =>
      [...document.querySelectorAll('.timeline [data-seq]')].map((e: any) => Number(e.dataset.seq)),
    );
    assert.deepEqual(
      seqs,
      [...new Set(seqs)].sort((a, b) => a - b),
      'no repeats, in order',
    );
    for (let i = 0; i < 5; i++)
      assert.equal(
        await page.locator('.entry.msg', { hasText: `during the drop ${i}` }).count(),
        1,
      );
  });

  it('measures send → paint over 100 messages', async () => {
    await page.goto(`${hub.url}/#/rooms/${ROOM}`);
    await until(live);
    // The page notes when each probe's element is painted: the frame after its insertion.
    // It also notes when the element was inserted, to tell the page's work from the frame's wait.
    await page.evaluate(() => {
      window.__lat = [];
      window.__dom = [];
      const now = () => window.performance.timeOrigin + window.performance.now();
      new window.MutationObserver((records: any[]) => {
        for (const r of records)
          for (const n of r.addedNodes) {
            const m = /perf-probe (\d+(?:\.\d+)?)/.exec(n.textContent || '');
            if (!m) continue;
            window.__dom.push(now() - Number(m[1]));
            window.requestAnimationFrame(() => window.__lat.push(now() - Number(m[1])));
          }
      }).observe(document.querySelector('.timeline'), { childList: true });
    });
    for (let i = 0; i < 100; i++) {
      await admin.send(ROOM, 'claude-a', {
        to: '*',
        body: `perf-probe ${performance.timeOrigin + performance.now()} #${i}`,
      });
      await until((n) => window.__lat.length > n, i);
    }
    const lat = ((await page.evaluate(() => window.__lat)) as number[]).sort((a, b) => a - b);
    const dom = ((await page.evaluate(() => window.__dom)) as number[]).sort((a, b) => a - b);
    const at = (xs: number[], p: number) =>
      xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
    const pct = (p: number) => at(lat, p);
    console.log(
      `send → paint over ${lat.length} messages: p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms` +
        ` (send → in the page's DOM: p50 ${at(dom, 50).toFixed(1)} ms, p99 ${at(dom, 99).toFixed(1)} ms)`,
    );
    assert.equal(lat.length, 100);
    assert.ok(pct(50) < 1000);
  });

  it('loads older events by cursor, each once and in order', async () => {
    await page.reload();
    await page.locator('.entry.msg').first().waitFor();
    const seqs = (): Promise<number[]> =>
      page.evaluate(() =>
        [...document.querySelectorAll('.timeline [data-seq]')].map((e: any) =>
          Number(e.dataset.seq),
        ),
      );
    const before = await seqs();
    await page.getByRole('button', { name: 'Load older' }).click();
    await until((n) => document.querySelectorAll('.timeline [data-seq]').length > n, before.length);
    const afterLoad = await seqs();
    assert.ok(Math.min(...afterLoad) < Math.min(...before));
    assert.deepEqual(
      afterLoad,
      [...new Set(afterLoad)].sort((a, b) => a - b),
    );
  });

  it('joins another room with its pair code', async () => {
    const other = await createHubClient({ url: hub.url }).createRoom({
      name: 'ops',
      label: 'laptop',
    });
    const opsAdmin = createHubClient({ url: hub.url, token: other.token });
    const { code: c } = await opsAdmin.createCode('ops', { scopes: ['read', 'write'] });
    await page.goto(`${hub.url}/#/rooms`);
    await page.getByRole('textbox', { name: 'Pair code' }).fill(c);
    await page.getByRole('button', { name: 'Join room' }).click();
    await page.locator('[data-room="ops"]').waitFor();
    await page.locator('[data-room="demo"]').waitFor();
    await opsAdmin.registerAgent('ops', { name: 'deployer', client: 'codex' });
    await opsAdmin.send('ops', 'deployer', { to: 'alice', body: 'Deploy window opens at 5.' });
    await page.goto(`${hub.url}/#/`);
    await page.locator('.card.message', { hasText: 'Deploy window' }).waitFor({ timeout: 2000 });
  });

  it('screenshots the rooms, approvals and notifications views', async () => {
    await page.goto(`${hub.url}/#/rooms`);
    await page.locator('.room-card').first().waitFor();
    await screenshots(page, 'rooms');
    await page.goto(`${hub.url}/#/rooms/${ROOM}/approvals`);
    await page.getByRole('heading', { name: ROOM }).waitFor();
    await screenshots(page, 'approvals');
    await page.goto(`${hub.url}/#/settings`);
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    await screenshots(page, 'notifications');
  });

  it('signs in with a member token in another browser', async () => {
    const joined = await createHubClient({ url: hub.url }).join({
      code: await code(['read', 'write']),
      label: 'tablet',
    });
    const other = await browser.newContext();
    const p = await other.newPage();
    await p.goto(hub.url);
    await p.getByRole('radio', { name: 'Token' }).check();
    await p.getByRole('textbox', { name: 'Member token' }).fill(joined.token);
    await p.getByLabel(/Your name/).fill('carol');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Needs you' }).waitFor();
    await other.close();
  });

  it("signs out: the browser's member is revoked and the page shows sign-in", async () => {
    await page.goto(`${hub.url}/#/rooms`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to huddle' }).waitFor();
    const members = (await admin.members(ROOM)).members;
    const alice = members.find((m) => m.kind === 'person' && m.label.startsWith('alice'));
    assert.ok(alice?.revoked_at, JSON.stringify(members));
  });
});

// Approvals in the cockpit: Claude Code's recorded PermissionRequest, run through the real
// `huddle hook permission-request`, appears under Needs you; the person's Allow and Deny reach
// the waiting hook; an agent's token cannot answer; with no answer the hook hands back.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createHubClient, type HubClient } from '../../src/client/hub-client.js';
import { openCredentials } from '../../src/cli/credentials.js';
import { browserSkip, launchBrowser, screenshots } from '../helpers/browser.js';
import { huddle, huddleOk, type CliResult } from '../helpers/cli.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { NEUTRAL_ENV, printed, recordedPayload, silent } from '../helpers/hook-io.js';
import { tempDir } from '../helpers/temp-dir.js';

const skip = browserSkip();
const ROOM = 'shop';
const AGENT = 'claude-api';

describe('approvals in the cockpit', { skip }, () => {
  let hub: TestHub;
  let dir: ReturnType<typeof tempDir>;
  let home: string;
  let project: string;
  let api: HubClient;
  let browser: Browser;
  let page: Page;

  const hook = (): Promise<CliResult> =>
    huddle(['hook', 'permission-request', '--room', ROOM, '--as', AGENT], {
      home,
      url: hub.url,
      input: recordedPayload('claude/permission-request.json', project),
      cwd: project,
      env: { ...NEUTRAL_ENV, CLAUDE_PROJECT_DIR: project },
    });

  /** The pending approval card under Needs you (the hook posts the request as it starts). */
  const card = () => page.locator('#main .card.approval', { hasText: 'Bash' });

  before(async () => {
    hub = await startTestHub({ HUDDLE_APPROVAL_TIMEOUT_SECONDS: '10' });
    dir = tempDir('huddle-cockpit-approvals-');
    home = join(dir.path, 'home');
    project = join(dir.path, 'shop-api');
    mkdirSync(join(project, '.git'), { recursive: true });
    mkdirSync(home);
    await huddleOk(['create', ROOM, '--label', 'machine-a'], { home, url: hub.url });
    await huddleOk(['agent', ROOM, AGENT], { home, url: hub.url });
    api = createHubClient({ url: hub.url, token: openCredentials(home).get(hub.url, ROOM)!.token });
    const { code } = await api.createCode(ROOM, { scopes: ['read', 'write', 'approve'] });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(`${hub.url}/join#${code}`);
    await page.getByLabel(/Your name/).fill('alice');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Needs you' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await hub?.stop();
    dir?.remove();
  });

  it('shows the request under Needs you; Allow reaches the waiting hook', async () => {
    const running = hook();
    await card().waitFor({ timeout: 10_000 });
    assert.match(await card().innerText(), /claude-api wants to use Bash/);
    assert.match(await card().innerText(), /rm -rf build && npm run build/);
    assert.match(await card().innerText(), /Clean and rebuild/);
    await screenshots(page, 'needs-you-approval');
    await card().getByRole('button', { name: 'Allow' }).click();
    printed(await running, {
      hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } },
    });
    await card().waitFor({ state: 'detached' });
  });

  it("Deny reaches the hook; an agent's token cannot answer", async () => {
    const running = hook();
    await card().waitFor({ timeout: 10_000 });
    const id = await card().getAttribute('data-approval');
    await assert.rejects(api.decideApproval(ROOM, id!, 'allow'), { code: 'person_required' });
    await card().getByRole('button', { name: 'Deny' }).click();
    const out = JSON.parse((await running).stdout);
    assert.equal(out.hookSpecificOutput.decision.behavior, 'deny');
    await page.goto(`${hub.url}/#/rooms/${ROOM}/approvals`);
    await page.locator(`[data-approval="${id}"] .decided`, { hasText: 'denied' }).waitFor();
    await screenshots(page, 'approvals-decided');
    await page.goto(`${hub.url}/#/`);
  });

  it('with no answer the hook hands back to the client, and the page shows it expired', async () => {
    const running = hook();
    await card().waitFor({ timeout: 10_000 });
    const id = await card().getAttribute('data-approval');
    silent(await running);
    await card().waitFor({ state: 'detached', timeout: 5_000 });
    await page.goto(`${hub.url}/#/rooms/${ROOM}/approvals/${id}`);
    await page.locator(`[data-approval="${id}"] .decided`, { hasText: 'expired' }).waitFor();
  });
});

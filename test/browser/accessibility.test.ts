// The cockpit for everyone: on every view, in the light and the dark scheme, text is readable
// (WCAG AA contrast: 4.5:1, 3:1 for large text), every control has a name a screen reader
// reads, and the keyboard reaches the controls with a focus that can be seen.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createHubClient } from '../../src/client/hub-client.js';
import { browserSkip, launchBrowser } from '../helpers/browser.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

declare const document: any;
declare const getComputedStyle: any;

const skip = browserSkip();
const ROOM = 'a11y';
const VIEWS = [
  '',
  'rooms',
  `rooms/${ROOM}`,
  `rooms/${ROOM}/board`,
  `rooms/${ROOM}/checkpoint`,
  `rooms/${ROOM}/agents`,
  `rooms/${ROOM}/approvals`,
  `rooms/${ROOM}/admin`,
  'settings',
];

/** Runs in the page: each visible text whose contrast with what is behind it is too low. */
function lowContrast(): string[] {
  const rgba = (c: string): number[] => (c.match(/[\d.]+/g) ?? ['0', '0', '0', '0']).map(Number);
  const luminance = ([r, g, b]: number[]) => {
    const f = (v: number) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
  };
  /** The colour behind an element: the nearest ancestor's opaque background. */
  const behind = (el: any): number[] => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3]! >= 0.99) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad: string[] = [];
  const walker = document.createTreeWalker(document.body, 4 /* text */);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || n.textContent.trim() === '') continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || box.width === 0 || box.height === 0) continue;
    // Disabled controls and placeholder-like hints are exempt in WCAG 1.4.3.
    if (el.closest('button:disabled, [aria-disabled="true"]')) continue;
    const fg = luminance(rgba(style.color));
    const bg = luminance(behind(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5))
      bad.push(`"${n.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}:1`);
  }
  return bad;
}

/** Runs in the page: each control without a name a screen reader would read. */
function unnamed(): string[] {
  const bad: string[] = [];
  for (const el of document.querySelectorAll('button, input, select, textarea, a[href]')) {
    if (el.type === 'hidden') continue;
    const labelled =
      (el.labels && el.labels.length > 0) ||
      el.getAttribute('aria-label') ||
      el.getAttribute('aria-labelledby') ||
      el.getAttribute('title') ||
      (el.tagName !== 'INPUT' && el.textContent.trim() !== '');
    if (!labelled) bad.push(el.outerHTML.slice(0, 80));
  }
  return bad;
}

/** Runs in the page: whether the focused element shows its focus. */
function focusShown(): { tag: string; shown: boolean } | null {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const ring = s.boxShadow !== 'none';
  return { tag: el.tagName, shown: outline || ring };
}

describe('the cockpit is accessible', { skip }, () => {
  let hub: TestHub;
  let browser: Browser;
  let page: Page;

  before(async () => {
    hub = await startTestHub();
    const created = await createHubClient({ url: hub.url }).createRoom({
      name: ROOM,
      label: 'laptop',
    });
    const admin = createHubClient({ url: hub.url, token: created.token });
    await admin.registerAgent(ROOM, { name: 'claude-a', client: 'claude-code' });
    await admin.addTask(ROOM, 'claude-a', { title: 'Write the migration', priority: 'high' });
    const { code } = await admin.createCode(ROOM, { scopes: ['admin'] });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${hub.url}/join#${code}`);
    await page.getByLabel(/Your name/).fill('ana');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Needs you' }).waitFor();
    // Every strong colour on screen: an approval's Allow, an urgent message, a high priority.
    await admin.send(ROOM, 'claude-a', { to: 'ana', kind: 'question', body: 'Ship it?' });
    await admin.send(ROOM, 'claude-a', { to: 'ana', body: 'The build broke.', priority: 'urgent' });
    await admin.requestApproval(ROOM, 'claude-a', { tool: 'Bash', input_preview: 'npm test' });
  });

  after(async () => {
    await browser?.close();
    await hub?.stop();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`every view has readable text and named controls (${scheme})`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      for (const view of VIEWS) {
        await page.goto(`${hub.url}/#/${view}`);
        await page.waitForLoadState('networkidle');
        await page.waitForTimeout(150);
        assert.deepEqual(await page.evaluate(lowContrast), [], `contrast on /#/${view}`);
        assert.deepEqual(await page.evaluate(unnamed), [], `unnamed controls on /#/${view}`);
      }
    });
  }

  it('the keyboard reaches the controls, and each shows its focus', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    for (const view of ['', `rooms/${ROOM}`, `rooms/${ROOM}/board`]) {
      await page.goto(`${hub.url}/#/${view}`);
      await page.waitForLoadState('networkidle');
      const seen: string[] = [];
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Tab');
        const focus = await page.evaluate(focusShown);
        if (!focus) continue;
        seen.push(focus.tag);
        assert.ok(focus.shown, `a focused ${focus.tag} on /#/${view} shows no focus`);
      }
      assert.ok(seen.length >= 5, `Tab reached only ${seen.length} controls on /#/${view}`);
    }
  });
});

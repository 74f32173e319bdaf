// Headless Chromium (Debian's, driven by playwright-core) for the cockpit's browser tests: in CI
// a missing browser fails the tests; elsewhere they are skipped with a hint to install it.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.HUDDLE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');

/** Why the browser tests cannot run here, or null when they can. Throws in CI instead. */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const hint = `no Chromium at ${CHROMIUM}: apt-get install chromium (or set HUDDLE_CHROMIUM)`;
  if (process.env.CI === 'true') throw new Error(`The browser tests must run in CI, but ${hint}.`);
  console.warn(`SKIPPING the cockpit's browser tests: ${hint}.`);
  return hint;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Writes `<name>-<width>x<height>.png` for each size: desktop and phone. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const [w, h] of [
    [1280, 800],
    [375, 812],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(100);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${w}x${h}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** The same view in the dark colour scheme, at phone size: `<name>-dark-375x812.png`. */
export async function darkScreenshot(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 375, height: 812 });
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-dark-375x812.png`) });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** The page as the e2e tests drive it in Chromium: open it, wait until it is live, read its icon. */
import type { Page } from 'playwright-core';
import type { Browser } from './chromium.ts';
import { waitFor } from './wait.ts';

/** The icon's data-led for an LED state. */
export const word = (on: boolean): string => (on ? 'on' : 'off');

/** The icon's data-led: "on", "off" or "unknown". */
export const ledOf = (page: Page): Promise<string | null> => page.locator('#led').getAttribute('data-led');

/** Waits until the page's stream is live and its icon shows a state. */
export async function waitLive(page: Page): Promise<void> {
  await page.locator('#conn[data-conn="live"]').waitFor({ timeout: 10000 });
  await page.locator('#led:not([data-led="unknown"])').waitFor({ timeout: 10000 });
}

/** Opens `url` in a new page of the browser and waits until it is live. */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(url);
  await waitLive(page);
  return page;
}

/** Waits until every page's icon shows `led`. */
export async function allShow(pages: Page[], led: boolean, timeoutMs = 5000): Promise<void> {
  await waitFor(
    `all pages to show LED ${word(led)}`,
    async () => (await Promise.all(pages.map(ledOf))).every((v) => v === word(led)),
    timeoutMs,
  );
}

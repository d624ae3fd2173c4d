/**
 * A phone's first minute on the access point, in Chromium against the
 * simulator. Chromium's --host-resolver-rules sends every host name to the
 * simulator, which is what the board's captive-portal DNS does: the OS's
 * connectivity probe (e.g. http://connectivitycheck.gstatic.com/generate_204)
 * is redirected to the page, the page goes live and follows the switch over
 * SSE like any tab (a portal sheet is a real browser), a reload revalidates
 * with the page's ETag and gets 304, and /sim shows a QR code that a camera
 * reads as the page URL.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CDPSession, Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../support/chromium.ts';
import { waitLive } from '../support/page.ts';
import { ROOT, SimChild } from '../support/load-sim.ts';
import { decodeRgba } from '../support/qr-decode.ts';
import { setSwitch, simState } from '../support/sim-client.ts';
import { delay, waitFor } from '../support/wait.ts';

const OUT = join(ROOT, 'test-output');
const word = (on: boolean): string => (on ? 'on' : 'off');

/** Network-level status and request headers per URL, from Chromium's DevTools protocol. */
interface Wire {
  statuses: { url: string; status: number; ifNoneMatch?: string }[];
}

async function watchWire(page: Page, cdp: CDPSession): Promise<Wire> {
  const wire: Wire = { statuses: [] };
  const urls = new Map<string, string>();
  const inm = new Map<string, string>();
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.requestWillBeSentExtraInfo', (e) => {
    const v = e.headers['If-None-Match'] ?? e.headers['if-none-match'];
    if (typeof v === 'string') inm.set(e.requestId, v);
  });
  cdp.on('Network.responseReceivedExtraInfo', (e) => {
    wire.statuses.push({ url: urls.get(e.requestId) ?? '?', status: e.statusCode, ifNoneMatch: inm.get(e.requestId) });
  });
  void page;
  return wire;
}

/** Press and release the virtual switch; the page must follow over SSE. */
async function toggleAndSee(page: Page, url: string): Promise<void> {
  const before = (await simState(url)).led;
  await setSwitch(url, 'down');
  await delay(60); // longer than the 30 ms debounce window
  await setSwitch(url, 'up');
  await waitFor(
    `the page to show LED ${word(!before)}`,
    async () => (await page.locator('#led').getAttribute('data-led')) === word(!before),
    5000,
  );
}

describe('phone access in Chromium', () => {
  let sim: SimChild;
  let browser: Browser;

  before(async () => {
    await mkdir(OUT, { recursive: true });
    sim = await SimChild.start({ memoryHook: false, verbose: true, startTimeoutMs: 30_000 });
    // Every name resolves to the simulator, like the board's DNS answers every name with the AP.
    browser = await launchBrowser([`--host-resolver-rules=MAP * 127.0.0.1:${sim.port}`]);
  });
  after(async () => {
    await browser?.close();
    await sim?.stop();
  });

  for (const probe of [
    'http://connectivitycheck.gstatic.com/generate_204',
    'http://captive.apple.com/hotspot-detect.html',
    'http://www.msftconnecttest.com/redirect',
    'http://example.com/any/article?id=1',
  ]) {
    test(`${probe} lands on the page, which is live`, async () => {
      const page = await browser.context.newPage();
      try {
        const res = await page.goto(probe);
        assert.equal(page.url(), sim.url, 'redirected to the page');
        const hop = res?.request().redirectedFrom();
        assert.equal(hop?.url(), probe);
        assert.equal((await hop?.response())?.status(), 302);
        await waitLive(page);
        await toggleAndSee(page, sim.url);
      } finally {
        await page.close();
      }
    });
  }

  test('a reload revalidates with the ETag and gets 304, and the page is live again', async () => {
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    const wire = await watchWire(page, cdp);
    try {
      const first = await page.goto(sim.url);
      const etag = first?.headers().etag;
      assert.match(etag ?? '', /^"[A-Za-z0-9_-]{22}"$/);
      await waitLive(page);
      wire.statuses.length = 0;
      await page.reload();
      await waitLive(page);
      const doc = wire.statuses.find((s) => s.url === sim.url);
      assert.ok(doc, `no network response for the page on reload: ${JSON.stringify(wire.statuses)}`);
      assert.equal(doc.ifNoneMatch, etag, 'the browser sent the ETag back');
      assert.equal(doc.status, 304, 'the simulator answered 304 Not Modified');
      await toggleAndSee(page, sim.url);
    } finally {
      await page.close();
    }
  });

  test('/sim shows a QR code that decodes to the page URL', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${sim.url}sim`);
      const img = page.locator('#qr-img');
      await page.locator('#qr:not([hidden])').waitFor({ timeout: 5000 });
      assert.equal(await page.locator('#qr-url').textContent(), sim.url);
      await page.screenshot({ path: join(OUT, 'sim-qr.png') });
      const png = (await img.screenshot()).toString('base64');
      // Chromium decodes its own screenshot to pixels; jsQR reads them here.
      const px = await page.evaluate(async (b64) => {
        const blob = await (await fetch(`data:image/png;base64,${b64}`)).blob();
        const bmp = await createImageBitmap(blob);
        const c = new OffscreenCanvas(bmp.width, bmp.height);
        const g = c.getContext('2d')!;
        g.drawImage(bmp, 0, 0);
        return { w: bmp.width, h: bmp.height, data: Array.from(g.getImageData(0, 0, bmp.width, bmp.height).data) };
      }, png);
      assert.equal(decodeRgba(Uint8ClampedArray.from(px.data), px.w, px.h), sim.url);
    } finally {
      await page.close();
    }
  });
});

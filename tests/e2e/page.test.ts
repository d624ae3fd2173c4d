/**
 * The page in Chromium against the simulator process (dist/core.wasm on a
 * virtual board): several pages at once, the switch, clicks, failures and a
 * simulator restart. Every DOM change of the LED icon is recorded in the page
 * by a MutationObserver, so "updated exactly once" is counted, not guessed.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../support/chromium.ts';
import { allShow, ledOf, openPage, word } from '../support/page.ts';
import { ROOT, SimChild } from '../support/load-sim.ts';
import { putIcon, setSwitch, simState } from '../support/sim-client.ts';
import { delay, waitFor } from '../support/wait.ts';

const OUT = join(ROOT, 'test-output');

/** The simulator as a person runs it: full log, no memory hook. */
const spawnSim = (port = 0): Promise<SimChild> =>
  SimChild.start({ port, verbose: true, memoryHook: false, startTimeoutMs: 30_000 });

interface Watched {
  /** data-led values the icon took, in order, since `watch`. */
  changes: string[];
  observer?: MutationObserver;
}

/** Starts recording every change of the icon's data-led attribute. */
async function watch(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as Watched;
    w.observer?.disconnect();
    w.changes = [];
    const icon = document.getElementById('led') as HTMLElement;
    w.observer = new MutationObserver((records) => {
      for (const r of records) w.changes.push(icon.getAttribute('data-led') ?? '');
    });
    w.observer.observe(icon, { attributes: true, attributeFilter: ['data-led'] });
  });
}

const changes = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as Watched).changes);
const idOf = (page: Page): Promise<string | null> => page.locator('#led').getAttribute('data-id');

async function allAtId(pages: Page[], id: number, timeoutMs = 5000): Promise<void> {
  await waitFor(
    `all pages at event id ${id}`,
    async () => (await Promise.all(pages.map(idOf))).every((v) => v === String(id)),
    timeoutMs,
  );
}

/**
 * A bouncing contact: the level flips every ~8 ms (each flip is an edge the
 * core hears at once, and each level lasts far less than the 30 ms
 * debounce window), then settles on `end`.
 */
async function bounce(url: string, end: 'down' | 'up'): Promise<void> {
  const other = end === 'down' ? 'up' : 'down';
  for (let i = 0; i < 4; i++) {
    await setSwitch(url, end);
    await delay(8);
    await setSwitch(url, other);
    await delay(8);
  }
  await setSwitch(url, end);
}

describe('page against the simulator', () => {
  let sim: SimChild;
  let browser: Browser;
  let pages: Page[] = [];
  let url: string;

  before(async () => {
    await mkdir(OUT, { recursive: true });
    sim = await spawnSim();
    url = sim.url;
    browser = await launchBrowser();
    pages = [];
    for (let i = 0; i < 3; i++) pages.push(await openPage(browser, url));
  });
  after(async () => {
    await browser?.close();
    await sim?.stop();
  });

  test('the page is self-contained and its icon is an accessible toggle button', async () => {
    const page = await browser.context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
    await page.locator('#conn[data-conn="live"]').waitFor();
    const s = await simState(url);
    const icon = page.getByRole('button', { name: 'LED' });
    assert.equal(await icon.getAttribute('name'), 'led');
    assert.equal(await icon.getAttribute('data-icon'), 'led');
    assert.equal(await icon.getAttribute('aria-pressed'), String(s.led));
    assert.equal(await icon.getAttribute('data-led'), word(s.led));
    assert.match((await page.locator('#led-text').textContent()) ?? '', s.led ? /on/ : /off/);
    assert.equal(await page.getByRole('status').first().textContent(), 'Live');
    const box = await icon.boundingBox();
    assert.ok(box && box.width >= 48 && box.height >= 48, `touch target ${JSON.stringify(box)}`);
    for (const r of requests) assert.ok(r.startsWith(url), `request outside the board: ${r}`);
    assert.deepEqual(
      requests.map((r) => new URL(r).pathname).sort(),
      ['/', '/demo_sse'],
      'only the page itself and its event stream',
    );
    await page.close();
  });

  test('a bouncing switch press updates every page exactly once', async () => {
    for (const p of pages) await watch(p);
    const s0 = await simState(url);
    for (const p of pages) assert.equal(await ledOf(p), word(s0.led));

    await bounce(url, 'down');
    await delay(100); // hold the switch: a held switch does not toggle yet
    assert.equal((await simState(url)).id, s0.id, 'held switch toggled before release');
    await bounce(url, 'up');

    await waitFor('the press to toggle the LED', async () => (await simState(url)).id === s0.id + 1);
    await allShow(pages, !s0.led);
    // Barrier: a click is ordered after any frame the press could have caused.
    assert.equal(await putIcon(url, 'led'), 204);
    await allAtId(pages, s0.id + 2);
    for (const p of pages) assert.deepEqual(await changes(p), [word(!s0.led), word(s0.led)]);
    assert.equal((await simState(url)).id, s0.id + 2, 'the press toggled more than once');
  });

  test('a click (and a key press) in one page toggles the LED and updates the others', async () => {
    for (const p of pages) await watch(p);
    const s0 = await simState(url);
    await pages[0]!.locator('#led').click();
    await allShow(pages, !s0.led);
    await allAtId(pages, s0.id + 1);
    assert.equal(await pages[2]!.locator('#led').getAttribute('aria-pressed'), String(!s0.led));
    const s1 = await simState(url);
    assert.equal(s1.led, !s0.led);

    await pages[1]!.locator('#led').focus();
    await pages[1]!.keyboard.press('Space');
    await allShow(pages, s0.led);
    await allAtId(pages, s0.id + 2);
    for (const p of pages) assert.deepEqual(await changes(p), [word(!s0.led), word(s0.led)]);
  });

  test('a failed PUT shows an error and does not flip the icon', async () => {
    const page = pages[0]!;
    const s0 = await simState(url);
    const err = page.getByRole('alert');

    await page.route('**/icon', (route) => route.fulfill({ status: 503, contentType: 'text/plain', body: 'queue full' }));
    await page.locator('#led').click();
    await err.filter({ hasText: '503' }).waitFor();
    assert.equal(await ledOf(page), word(s0.led));
    assert.equal(await page.locator('#led').getAttribute('aria-pressed'), String(s0.led));

    await page.unroute('**/icon');
    await page.route('**/icon', (route) => route.abort('connectionrefused'));
    await page.locator('#led').click();
    await err.filter({ hasText: 'reach' }).waitFor();
    assert.equal(await ledOf(page), word(s0.led));
    await page.unroute('**/icon');

    const s1 = await simState(url);
    assert.equal(s1.id, s0.id, 'no toggle reached the board');
    await page.locator('#led').click();
    await allShow(pages, !s0.led);
    assert.equal(await err.isHidden(), true, 'a successful click clears the error');
  });

  test('screenshots of both LED states', async () => {
    const page = pages[0]!;
    for (const on of [true, false]) {
      if ((await simState(url)).led !== on) assert.equal(await putIcon(url, 'led'), 204);
      await allShow([page], on);
      await page.locator('#conn[data-conn="live"]').waitFor();
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(OUT, `page-led-${word(on)}.png`), animations: 'disabled' });
    }
  });

  test('the virtual board page: holding its switch toggles the LED on every page', async () => {
    const board = await browser.context.newPage();
    await board.goto(new URL('/sim', url).href);
    await board.locator('#conn[data-conn="live"]').waitFor();
    const s0 = await simState(url);
    await board.locator('#led').and(board.locator(`[data-led="${word(s0.led)}"]`)).waitFor();

    const sw = board.getByRole('button', { name: /switch/i });
    await sw.hover();
    await board.mouse.down();
    await waitFor('the switch to be down', async () => (await sw.getAttribute('aria-pressed')) === 'true');
    await delay(100); // held
    await board.mouse.up();
    await allShow([...pages, board], !s0.led);
    assert.equal((await simState(url)).id, s0.id + 1);

    await board.screenshot({ path: join(OUT, 'sim-board.png'), animations: 'disabled' });
    await board.close();
  });

  test('closing a page unregisters its stream at once', async () => {
    // The board page of the previous test has just closed: its stream goes too.
    await waitFor('one stream per open page', async () => (await simState(url)).clients === pages.length);
    const n = pages.length;
    const last = pages.pop()!;
    await last.close();
    await waitFor('clients to drop', async () => (await simState(url)).clients === n - 1);
  });
});

describe('simulator restart', () => {
  let browser: Browser;
  let sim: SimChild | undefined;

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await sim?.stop();
  });

  test('pages reconnect to a restarted simulator and show its true state', async () => {
    sim = await spawnSim();
    const { url, port } = sim;
    const pages = [await openPage(browser, url), await openPage(browser, url)];
    if (!(await simState(url)).led) assert.equal(await putIcon(url, 'led'), 204);
    await allShow(pages, true);

    await sim.stop('SIGKILL');
    sim = undefined;
    for (const p of pages) await p.locator('#conn:not([data-conn="live"])').waitFor();

    // While the board is gone a click fails visibly and changes nothing.
    await pages[0]!.locator('#led').click();
    await pages[0]!.getByRole('alert').waitFor();
    assert.equal(await ledOf(pages[0]!), 'on');

    sim = await spawnSim(port);
    assert.equal(sim.url, url);
    const s = await simState(url);
    assert.equal(s.led, false, 'a new simulator starts with the LED off');
    await allShow(pages, false, 20000);
    for (const p of pages) await p.locator('#conn[data-conn="live"]').waitFor();
    await waitFor('both pages registered', async () => (await simState(url)).clients === 2);

    await pages[1]!.locator('#led').click();
    await allShow(pages, true);
  });
});

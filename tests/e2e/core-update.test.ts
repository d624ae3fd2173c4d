/**
 * Live update in Chromium (docs/update.md): three pages on the simulator,
 * `npm run deploy` installs a behaviour-changing core (same ABI, frames carry
 * "rev":2), then one that faults on every click and is rolled back by itself.
 * Every page's EventSource is wrapped before the page's own script runs, so
 * "no error event, no reconnect" is counted, not guessed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../support/chromium.ts';
import { allShow, openPage } from '../support/page.ts';
import { ROOT, SimChild } from '../support/load-sim.ts';
import { putIcon, simState } from '../support/sim-client.ts';
import { updateCores, type UpdateCores } from '../support/update-cores.ts';
import { waitFor } from '../support/wait.ts';

interface Counted {
  sse: { opens: number; errors: number; last: string };
}

/**
 * Runs before the page's scripts: counts the EventSource's open/error events
 * and keeps the last data. Plain text, not a function: the TypeScript runner
 * adds helpers (__name) to compiled classes that do not exist in the page.
 */
const COUNT_EVENTSOURCE = `
  window.sse = { opens: 0, errors: 0, last: '' };
  const Original = window.EventSource;
  window.EventSource = class extends Original {
    constructor(url, init) {
      super(url, init);
      this.addEventListener('open', () => window.sse.opens++);
      this.addEventListener('error', () => window.sse.errors++);
      this.addEventListener('message', (e) => { window.sse.last = e.data; });
    }
  };
`;

const sse = (page: Page): Promise<Counted['sse']> => page.evaluate(() => (window as unknown as Counted).sse);

let sim: SimChild;
let browser: Browser;
let pages: Page[];
let cores: UpdateCores;
let dir: string;

/** npm run deploy, as a person runs it: signs `module` with the run's key. */
function deploy(module: Uint8Array, version: number): { status: number | null; out: string } {
  const file = join(dir, `core-${version}.wasm`);
  writeFileSync(file, module);
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/deploy.ts', sim.url, '--core', file,
    '--key', join(dir, 'key.pem'), '--version', String(version)], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

before(async () => {
  cores = updateCores();
  dir = mkdtempSync(join(tmpdir(), 'e2e-update-'));
  writeFileSync(join(dir, 'key.pem'), cores.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'pub.pem'), cores.publicKey.export({ type: 'spki', format: 'pem' }));
  sim = await SimChild.start({ verbose: true, memoryHook: false, startTimeoutMs: 30_000, args: ['--core-key', join(dir, 'pub.pem')] });
  browser = await launchBrowser();
  await browser.context.addInitScript({ content: COUNT_EVENTSOURCE });
  pages = [];
  for (let i = 0; i < 3; i++) pages.push(await openPage(browser, sim.url));
});

after(async () => {
  await browser?.close();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('deploy a new core: pages stay connected, state kept, new behaviour visible', async () => {
  const before = await simState(sim.url);
  const r = deploy(cores.unsigned.behaviour, 100);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /uploading \d+\/\d+ bytes \(100%\)/, 'the upload showed its progress');
  assert.match(r.out, /"version": 100/, 'and the new core\'s status');
  // Every page got the resync frame from the new core.
  await waitFor('the resync frame on every page', async () =>
    (await Promise.all(pages.map(sse))).every((s) => JSON.parse(s.last || '{}').rev === 2), 5000);
  assert.equal((await simState(sim.url)).led, before.led, 'the LED state was kept');
  assert.equal(await putIcon(sim.url, 'led'), 204);
  await allShow(pages, !before.led);
  for (const s of await Promise.all(pages.map(sse))) {
    assert.deepEqual(JSON.parse(s.last), { led: !before.led, rev: 2 });
    assert.deepEqual({ opens: s.opens, errors: s.errors }, { opens: 1, errors: 0 }, 'no error event, no reconnect');
  }
});

test('deploy a core that faults after the swap: rolled back by itself, pages still connected', async () => {
  const r = deploy(cores.unsigned.trapsOnClick, 200);
  assert.equal(r.status, 0, r.out);
  const led = (await simState(sim.url)).led;
  for (let i = 0; i < 3; i++) assert.equal(await putIcon(sim.url, 'led'), 503);
  await waitFor('the rollback', async () => JSON.parse((await (await fetch(new URL('/core', sim.url))).text())).running.version !== 200, 5000);
  assert.equal(await putIcon(sim.url, 'led'), 204, 'the rolled-back core serves clicks');
  await allShow(pages, !led);
  for (const s of await Promise.all(pages.map(sse))) {
    assert.deepEqual({ opens: s.opens, errors: s.errors }, { opens: 1, errors: 0 }, 'no error event, no reconnect');
  }
  assert.equal((await simState(sim.url)).clients, 3);
});

test('the deploy CLI exits non-zero with the reason when the core is refused', () => {
  const r = deploy(new Uint8Array(0), 150); // an empty module file: signed, but not Wasm
  assert.notEqual(r.status, 0);
  assert.match(r.out, /refused the core \(400\): refused: /);
});

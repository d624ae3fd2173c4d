/**
 * The virtual board (GET /sim): a push switch to hold (mouse, touch, Space or
 * Enter) that posts its raw level to /sim/switch, and an LED that mirrors the
 * state stream like the page does.
 */
import { ledText, showLed } from './icon.ts';
import { connText, openStream } from './sse-client.ts';

const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;

const led = $('led');
const sw = $('switch') as HTMLButtonElement;
const conn = $('conn');
const err = $('err');
const stats = $('stats');

openStream('/demo_sse', {
  state(s) {
    if (showLed(led, s.led)) led.setAttribute('aria-label', ledText(s.led));
  },
  conn(c) {
    conn.dataset.conn = c;
    $('conn-text').textContent = connText(c);
  },
});

function showError(msg: string | null): void {
  err.hidden = msg === null;
  err.textContent = msg ?? '';
}

// Levels are sent one after another so that "up" never overtakes "down".
let held = false;
let chain: Promise<void> = Promise.resolve();

function hold(down: boolean): void {
  if (held === down) return;
  held = down;
  sw.setAttribute('aria-pressed', String(down));
  chain = chain.then(async () => {
    try {
      const r = await fetch('/sim/switch', { method: 'POST', body: down ? 'down' : 'up' });
      showError(r.ok ? null : `Switch: HTTP ${r.status}`);
    } catch {
      showError('Switch: the simulator is not reachable.');
    }
  });
}

sw.addEventListener('pointerdown', (e) => {
  if (e.button !== 0) return;
  sw.setPointerCapture(e.pointerId);
  hold(true);
});
for (const ev of ['pointerup', 'pointercancel', 'lostpointercapture'] as const) {
  sw.addEventListener(ev, () => hold(false));
}
sw.addEventListener('keydown', (e) => {
  if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) {
    e.preventDefault();
    hold(true);
  }
});
sw.addEventListener('keyup', (e) => {
  if (e.key === ' ' || e.key === 'Enter') hold(false);
});
sw.addEventListener('blur', () => hold(false));
sw.addEventListener('contextmenu', (e) => e.preventDefault());

async function refreshStats(): Promise<void> {
  try {
    const r = await fetch('/sim/state', { cache: 'no-store' });
    const s = (await r.json()) as Record<string, number | boolean>;
    stats.textContent = `clients ${s.clients} · id ${s.id} · dropped ${s.dropped} · restarts ${s.restarts}`;
  } catch {
    stats.textContent = '–';
  }
}
// The URL a phone can open, as a QR code (the simulator prints it in the terminal too).
async function showQr(): Promise<void> {
  try {
    const r = await fetch('/sim/qr', { cache: 'no-store' });
    if (!r.ok) return;
    const q = (await r.json()) as { url: string; svg: string };
    ($('qr-img') as HTMLImageElement).src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(q.svg)}`;
    const link = $('qr-url') as HTMLAnchorElement;
    link.href = q.url;
    link.textContent = q.url;
    $('qr').hidden = false;
  } catch {
    // No QR code: the simulator is older or unreachable; the rest still works.
  }
}
void showQr();

void refreshStats();
setInterval(() => void refreshStats(), 1000);

/** The page: LED icon, connection state, PUT /icon on click. */
import { ledText, showLed, type Led } from './icon.ts';
import { connText, openStream, type Conn } from './sse-client.ts';

const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;

const icon = $('led') as HTMLButtonElement;
const text = $('led-text');
const conn = $('conn');
const connLabel = $('conn-text');
const err = $('err');
let errTimer: ReturnType<typeof setTimeout> | undefined;
let led: Led = null;

function showConn(c: Conn): void {
  if (conn.dataset.conn === c) return;
  conn.dataset.conn = c;
  document.documentElement.dataset.conn = c;
  connLabel.textContent = connText(c);
}

function showError(msg: string | null): void {
  clearTimeout(errTimer);
  err.hidden = msg === null;
  err.textContent = msg ?? '';
  if (msg !== null) errTimer = setTimeout(() => showError(null), 8000);
}

openStream('/demo_sse', {
  state(s, id) {
    // The icon follows only what the board reports.
    led = s.led;
    if (showLed(icon, led)) text.textContent = ledText(led);
    icon.dataset.id = id;
  },
  conn: showConn,
});

icon.addEventListener('click', async () => {
  showError(null);
  icon.setAttribute('aria-busy', 'true');
  try {
    const r = await fetch('/icon', { method: 'PUT', body: 'led', cache: 'no-store' });
    if (!r.ok) {
      // Error bodies read "NNN Reason: detail"; the detail is enough here.
      const why = (await r.text().catch(() => ''))
        .trim()
        .replace(/^\d{3}[^:]*:\s*/, '')
        .slice(0, 80);
      showError(`The board refused the toggle (HTTP ${r.status}${why ? `: ${why}` : ''}).`);
    }
  } catch {
    showError('Could not reach the board: check the WiFi connection.');
  } finally {
    icon.removeAttribute('aria-busy');
  }
});

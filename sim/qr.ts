/**
 * The page URL as a QR code: in the terminal when the simulator starts and
 * on /sim, so a phone's camera opens it (the board prints its own at boot,
 * host/esp/join_qr.c). Uses the `qrcode` package.
 */
import { networkInterfaces } from 'node:os';
import QRCode from 'qrcode';

const WILDCARD = new Set(['0.0.0.0', '::', '']);

/** A non-internal IPv4 address of this machine, or null. */
export function lanAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return null;
}

/**
 * The URL to show a phone: the listening address, or this machine's LAN
 * address when listening on every interface. `reachable` is false for a
 * loopback address, which a phone cannot open (start with --host 0.0.0.0).
 */
export function phoneUrl(host: string, port: number): { url: string; reachable: boolean } {
  let h = host;
  if (WILDCARD.has(h)) h = lanAddress() ?? '127.0.0.1';
  const reachable = !(h === 'localhost' || h.startsWith('127.') || h === '::1');
  const shown = h.includes(':') ? `[${h}]` : h;
  return { url: `http://${shown}${port === 80 ? '' : `:${port}`}/`, reachable };
}

/** Half-block characters, two modules per character (`qrcode`'s small terminal renderer). */
export function terminalQr(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}

/** An SVG image with a 4-module quiet zone. */
export function svgQr(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', margin: 4, errorCorrectionLevel: 'M' });
}

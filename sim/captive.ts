/**
 * The captive portal's HTTP side, the same decisions as the firmware's
 * host/portable/captive_portal.c (docs/abi.md "Captive portal"): the
 * operating systems' connectivity probes and any URL of another site are
 * redirected to the page, and the RFC 8908 API says "captive".
 *
 * The simulator has no DNS responder: a browser reaches it for another host
 * name only when told to (Chromium's --host-resolver-rules in the e2e tests),
 * which is what the board's DNS does for every name.
 */
import type { IncomingMessage } from 'node:http';

/** docs/abi.md "Connectivity probes"; sources in docs/firmware.md. */
export const PROBE_PATHS: readonly string[] = [
  '/generate_204',
  '/gen_204',
  '/hotspot-detect.html',
  '/library/test/success.html',
  '/connecttest.txt',
  '/redirect',
  '/ncsi.txt',
  '/canonical.html',
  '/success.txt',
  '/check_network_status.txt',
  '/kindle-wifi/wifistub.html',
];

export const CAPTIVE_API_PATH = '/captive-portal/api';

/** The simulator's stand-in for the board's mDNS name. */
export const OWN_NAME = 'localhost';

export function isProbe(path: string): boolean {
  return PROBE_PATHS.includes(path);
}

/** The address the request arrived on, as a URL host ("127.0.0.1", "[::1]"). */
export function localHost(req: IncomingMessage): string {
  let a = req.socket.localAddress ?? '127.0.0.1';
  if (a.startsWith('::ffff:')) a = a.slice(7); // IPv4 on a dual-stack socket
  return a.includes(':') ? `[${a}]` : a;
}

/** Base URL of the page on the address the request arrived on (the board uses its AP address). */
export function pageUrl(req: IncomingMessage): string {
  const port = req.socket.localPort;
  return `http://${localHost(req)}${port === 80 || port === undefined ? '' : `:${port}`}/`;
}

/** Same rule as captive_portal_host_is_own: no Host, our address, or our name (any case, ":port", trailing dot). */
export function hostIsOwn(host: string | undefined, ownIp: string, ownName: string): boolean {
  const h = (host ?? '').trim().toLowerCase();
  if (h === '') return true;
  const name = h.replace(/:\d*$/, '').replace(/\.$/, '');
  const label = ownName.split('.')[0]!.toLowerCase();
  return name === ownIp.toLowerCase() || (ownName !== '' && (name === ownName.toLowerCase() || name === label));
}

/** 'redirect' for a GET/HEAD of a probe or of another site's URL, which no route claimed. */
export function captiveAction(req: IncomingMessage, path: string): 'redirect' | 'serve' {
  if (req.method !== 'GET' && req.method !== 'HEAD') return 'serve';
  if (isProbe(path) || !hostIsOwn(req.headers.host, localHost(req), OWN_NAME)) return 'redirect';
  return 'serve';
}

/** RFC 8908 section 5 API object. */
export function apiJson(req: IncomingMessage): string {
  return JSON.stringify({ captive: true, 'user-portal-url': pageUrl(req) });
}

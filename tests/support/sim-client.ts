/**
 * Talking to a running simulator from tests: its scriptable routes, raw HTTP
 * requests, and SSE streams parsed with eventsource-parser.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { SimState } from '../../sim/abi.ts';
import { waitFor } from './wait.ts';

export async function simState(base: string): Promise<SimState> {
  const r = await fetch(new URL('/sim/state', base));
  if (r.status !== 200) throw new Error(`GET /sim/state: ${r.status}`);
  return (await r.json()) as SimState;
}

/** Sets the virtual switch's raw level. */
export async function setSwitch(base: string, level: 'down' | 'up'): Promise<void> {
  const r = await fetch(new URL('/sim/switch', base), { method: 'POST', body: level });
  if (r.status !== 204) throw new Error(`POST /sim/switch ${level}: ${r.status}`);
}

export async function putIcon(base: string, body: string): Promise<number> {
  const r = await fetch(new URL('/icon', base), { method: 'PUT', body });
  await r.arrayBuffer();
  return r.status;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One request with node:http (no client-side normalisation): `body` is sent
 * as is; `declaredLength` overrides Content-Length to send less than declared.
 */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  opts: { body?: string | Buffer; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base);
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: opts.headers, agent: false },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }));
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface SseStream {
  status: number;
  headers: IncomingHttpHeaders;
  events: EventSourceMessage[];
  retries: number[];
  comments: string[];
  /** Resolves once `n` events have arrived. */
  waitEvents(n: number, timeoutMs?: number): Promise<EventSourceMessage[]>;
  close(): void;
}

/** Opens GET /demo_sse; resolves when the response headers arrived. */
export function openSse(base: string): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const u = new URL('/demo_sse', base);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, agent: false, headers: { Accept: 'text/event-stream' } }, (res) => {
      const s: SseStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        retries: [],
        comments: [],
        waitEvents: (n, timeoutMs = 5000) =>
          waitFor(`${n} SSE events (have ${s.events.length})`, () => s.events.length >= n && s.events, timeoutMs),
        close: () => req.destroy(),
      };
      const parser = createParser({
        onEvent: (e) => s.events.push(e),
        onRetry: (ms) => s.retries.push(ms),
        onComment: (c) => s.comments.push(c),
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => parser.feed(chunk));
      res.on('error', () => {});
      resolve(s);
    });
    req.on('error', reject);
    req.end();
  });
}

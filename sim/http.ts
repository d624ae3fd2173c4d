/**
 * The HTTP contract of docs/abi.md ("HTTP contract" and "Simulator-only
 * routes") on Node's http module. Handlers move bytes between sockets and the
 * core; every decision about a body or a state is the core's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  EVENT_CLIENT_OPEN,
  PUT_BAD_BODY,
  PUT_OK,
  PUT_QUEUE_FULL,
  PUT_TOO_LARGE,
  PUT_UNKNOWN_ICON,
  type SimState,
} from './abi.ts';
import type { Board } from './board.ts';
import { apiJson, CAPTIVE_API_PATH, captiveAction, pageUrl } from './captive.ts';
import { noneMatchHit } from './etag.ts';
import { phoneUrl, svgQr } from './qr.ts';
import type { Clients } from './clients.ts';
import type { CoreHost } from './core-host.ts';
import type { CoreUpdates, UpdateReply } from './core-update.ts';

export interface Pages {
  /** dist/index.html and its gzip. */
  index: Buffer;
  indexGz: Buffer | null;
  /** dist/sim.html (virtual board), if built. */
  sim: Buffer | null;
  /** Strong ETags of index.html and index.html.gz (web/build.mjs); null: none sent. */
  indexEtag?: string | null;
  indexGzEtag?: string | null;
}

export interface HttpContext {
  core: CoreHost;
  /** Live core updates (docs/update.md); null when the validator is not built. */
  updates: CoreUpdates | null;
  /** Largest PUT /core body. */
  coreMaxBytes: number;
  clients: Clients;
  board: Board;
  pages: Pages;
  log(line: string): void;
  /** JSON for GET /sim/state. */
  state(): SimState;
}

type Handler = (req: IncomingMessage, res: ServerResponse, ctx: HttpContext) => void;

/** Largest body of POST /sim/switch that is read at all. */
const SWITCH_BODY_LIMIT = 64;
/** After a refused body, the connection is closed this long after the response. */
const REFUSED_BODY_LINGER_MS = 500;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = `${status} ${STATUS_TEXT[status] ?? ''}: ${text}\n`;
  res.writeHead(status, STATUS_TEXT[status] ?? '', {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body);
}

/** 200 with `value` as JSON, never cached. (To a HEAD, Node sends the head only.) */
function sendJson(res: ServerResponse, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(body.length), 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Answers `status` without reading the rest of the body, then closes the connection. */
function refuseBody(req: IncomingMessage, res: ServerResponse, text: string, status = 413): void {
  req.pause();
  req.removeAllListeners('data');
  res.shouldKeepAlive = false;
  sendText(res, status, text, { Connection: 'close' });
  res.once('finish', () => {
    setTimeout(() => req.socket.destroy(), REFUSED_BODY_LINGER_MS).unref();
  });
}

/**
 * Reads a body of at most `limit` bytes. Resolves with the bytes, or with
 * null after refusing it: 501/415 for a transfer or content coding the core
 * cannot read, 413 for a declared or actual length over the limit (the
 * rest is never read or buffered).
 */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number, tooLarge = `body over ${limit} bytes`): Promise<Buffer | null> {
  return new Promise((resolve) => {
    // Node decodes only `chunked`; any other coding would reach the core still
    // encoded, so it is refused before a byte is read (RFC 9112 6.1, RFC 9110 15.5.16).
    const transfer = req.headers['transfer-encoding'];
    if (transfer !== undefined && transfer.trim().toLowerCase() !== 'chunked') {
      refuseBody(req, res, `transfer coding "${transfer}" is not supported; send the body plain or chunked`, 501);
      resolve(null);
      return;
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      refuseBody(req, res, `content coding "${encoding}" is not supported; send the body uncompressed`, 415);
      resolve(null);
      return;
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      refuseBody(req, res, tooLarge);
      resolve(null);
      return;
    }
    if (/^100-continue$/i.test(req.headers.expect ?? '')) res.writeContinue();
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        refuseBody(req, res, tooLarge);
        resolve(null);
        return;
      }
      parts.push(chunk);
    });
    req.once('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(parts, size));
    });
    req.once('error', () => {
      if (done) return;
      done = true;
      resolve(null);
    });
  });
}

function acceptsGzip(req: IncomingMessage): boolean {
  const ae = req.headers['accept-encoding'];
  if (typeof ae !== 'string') return false;
  return ae.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding?.trim() !== 'gzip') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

const page: Handler = (req, res, { pages }) => {
  const gz = pages.indexGz !== null && acceptsGzip(req);
  const body = gz ? pages.indexGz! : pages.index;
  // One ETag per representation; no-cache makes the browser revalidate every
  // load, and an unchanged page costs a 304 with no body (RFC 9110 13.1.2, 15.4.5).
  const etag = (gz ? pages.indexGzEtag : pages.indexEtag) ?? null;
  const validators = {
    'Cache-Control': 'no-cache',
    Vary: 'Accept-Encoding',
    ...(etag !== null ? { ETag: etag } : {}),
  };
  if (etag !== null && noneMatchHit(headerText(req.headers['if-none-match']), etag)) {
    res.writeHead(304, validators);
    res.end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(body.length),
    ...validators,
    ...(gz ? { 'Content-Encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
};

/** A header Node may hand over as a list, as one field value. */
function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/** 302 to the page on the address the request came in on (captive portal). */
function redirectToPage(req: IncomingMessage, res: ServerResponse): void {
  const location = pageUrl(req);
  // A body, not only the Location: the ESP-IDF captive-portal example notes
  // that iOS needs content to detect the portal.
  const body = `302 Found: the page is at ${location}\n`;
  res.writeHead(302, 'Found', {
    Location: location,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** RFC 8908 captive-portal API: DHCP option 114 names it on the board. */
const captiveApi: Handler = (req, res) => {
  const body = apiJson(req);
  res.writeHead(200, {
    'Content-Type': 'application/captive+json',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
};

/** GET /sim/qr: {"url", "svg"}, the URL a phone can open (as printed in the terminal) and its QR code. */
const simQr =
  (server: Server): Handler =>
  (req, res) => {
    const addr = server.address();
    const bound = addr !== null && typeof addr === 'object' ? addr : null;
    const { url } = phoneUrl(bound?.address ?? '127.0.0.1', bound?.port ?? req.socket.localPort ?? 80);
    void svgQr(url).then((svg) => sendJson(res, { url, svg }));
  };

const simPage: Handler = (req, res, { pages }) => {
  if (!pages.sim) {
    sendText(res, 404, 'dist/sim.html is missing: run npm run build:web');
    return;
  }
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(pages.sim.length),
    'Cache-Control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : pages.sim);
};

const sse: Handler = (req, res, { core, clients, log }) => {
  if (clients.full) {
    sendText(res, 503, 'too many event-stream clients', { 'Retry-After': '5' });
    return;
  }
  req.socket.setNoDelay(true);
  req.socket.setTimeout(0);
  // The board's head (docs/abi.md): no length, no chunked coding, so the
  // body is the frames and ends when the connection closes. Frames are then
  // written to the socket itself (sim/clients.ts).
  res.removeHeader('Transfer-Encoding');
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'close',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  const id = clients.add(res);
  if (id === null) {
    res.destroy();
    return;
  }
  log(`client ${id} open (${clients.size} open)`);
  // The core sends this client its first frame (with retry:) at once.
  core.post(EVENT_CLIENT_OPEN, id);
};

const HTTP_STATUS_OF_PUT: Record<number, [number, string]> = {
  [PUT_OK]: [204, ''],
  [PUT_UNKNOWN_ICON]: [404, 'no such icon'],
  [PUT_BAD_BODY]: [400, 'body must be an icon name in printable ASCII'],
  [PUT_TOO_LARGE]: [413, 'body too large'],
  [PUT_QUEUE_FULL]: [503, 'event queue full, try again'],
};

const icon: Handler = (req, res, { core }) => {
  const capacity = core.bodyCapacity();
  void readBody(req, res, capacity).then((body) => {
    if (body === null || res.headersSent) return;
    const code = core.iconPut(body, body.length);
    if (code === undefined) {
      sendText(res, 503, 'the core restarted, try again', { 'Retry-After': '1' });
      return;
    }
    const mapped = HTTP_STATUS_OF_PUT[code];
    if (!mapped) {
      sendText(res, 500, `icon_put returned unknown code ${code}`);
    } else if (mapped[0] === 204) {
      res.writeHead(204, { 'Cache-Control': 'no-store' });
      res.end();
    } else {
      sendText(res, mapped[0], mapped[1], code === PUT_QUEUE_FULL ? { 'Retry-After': '1' } : {});
    }
  });
};

const simSwitch: Handler = (req, res, { board }) => {
  void readBody(req, res, SWITCH_BODY_LIMIT).then((body) => {
    if (body === null || res.headersSent) return;
    const word = body.toString('latin1').trim();
    if (word !== 'down' && word !== 'up') {
      sendText(res, 400, 'body must be "down" or "up"');
      return;
    }
    board.set(word === 'down' ? 0 : 1);
    res.writeHead(204, { 'Cache-Control': 'no-store' });
    res.end();
  });
};

const simState: Handler = (_req, res, ctx) => sendJson(res, ctx.state());

const simTrap: Handler = (_req, res, { core, log }) => {
  log('debug_trap requested');
  core.trap();
  res.writeHead(204, { 'Cache-Control': 'no-store' });
  res.end();
};

/** Largest POST /core/rollback body (a JSON object with a base64 signature). */
const ROLLBACK_BODY_LIMIT = 1024;

const UPDATES_UNAVAILABLE = 'live updates are unavailable in this simulator: dist/core_image.wasm is missing (npm run setup && npm run build:validator)';

function sendUpdateReply(res: ServerResponse, r: UpdateReply): void {
  if (r.status === 200) {
    sendJson(res, r.body);
    return;
  }
  // docs/update.md: a refusal is one line of text.
  const body = Buffer.from(`${String(r.body)}\n`);
  res.writeHead(r.status, STATUS_TEXT[r.status] ?? '', {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    ...(r.retryAfter !== undefined ? { 'Retry-After': String(r.retryAfter) } : {}),
  });
  res.end(body);
}

const coreStatus: Handler = (req, res, { updates }) => {
  if (!updates) {
    sendText(res, 503, UPDATES_UNAVAILABLE);
    return;
  }
  sendUpdateReply(res, { status: 200, body: updates.status() });
};

const coreUpload: Handler = (req, res, { updates, coreMaxBytes }) => {
  if (!updates) {
    sendText(res, 503, UPDATES_UNAVAILABLE);
    return;
  }
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/wasm') {
    refuseBody(req, res, `Content-Type must be application/wasm, not "${type}"`, 415);
    return;
  }
  // Over the limit the body is not read: the validator's own TOO_LARGE text.
  void readBody(req, res, coreMaxBytes, `${updates.textOf('TOO_LARGE')} (${coreMaxBytes} bytes)`).then(async (body) => {
    if (body === null || res.headersSent) return;
    sendUpdateReply(res, await updates.upload(new Uint8Array(body)));
  });
};

const coreRollback: Handler = (req, res, { updates }) => {
  if (!updates) {
    sendText(res, 503, UPDATES_UNAVAILABLE);
    return;
  }
  void readBody(req, res, ROLLBACK_BODY_LIMIT).then((body) => {
    if (body === null || res.headersSent) return;
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = null;
    }
    sendUpdateReply(res, updates.rollback(parsed));
  });
};

function routes(debug: boolean): Map<string, Record<string, Handler>> {
  const r = new Map<string, Record<string, Handler>>([
    ['/', { GET: page, HEAD: page }],
    ['/index.html', { GET: page, HEAD: page }],
    ['/demo_sse', { GET: sse }],
    ['/icon', { PUT: icon }],
    ['/sim', { GET: simPage, HEAD: simPage }],
    ['/sim/switch', { POST: simSwitch }],
    ['/sim/state', { GET: simState, HEAD: simState }],
    [CAPTIVE_API_PATH, { GET: captiveApi }],
    ['/core', { GET: coreStatus, PUT: coreUpload }],
    ['/core/rollback', { POST: coreRollback }],
  ]);
  // Only a debug core (dist/core.debug.wasm) exports debug_trap.
  if (debug) r.set('/sim/trap', { POST: simTrap });
  return r;
}

export interface ServerLimits {
  /** Time to receive all request headers. */
  headersTimeoutMs: number;
  /** Time to receive a whole request (headers and body). */
  requestTimeoutMs: number;
  /** Idle time of a kept-alive connection between requests. */
  keepAliveTimeoutMs: number;
}

/**
 * The board's bounds (docs/abi.md "HTTP contract", timing bounds): a connection has 2 s to
 * send its first byte and then 1 s for the whole request, so 3 s from
 * connect; Node measures both limits from the connection's start and checks
 * them every second. Idle kept-alive connections go after the same 2 s a
 * board gives a connection that sends nothing.
 */
export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 3_000,
  requestTimeoutMs: 3_000,
  keepAliveTimeoutMs: 2_000,
};

export function createSimServer(ctx: HttpContext, limits: ServerLimits = DEFAULT_LIMITS): Server {
  const table = routes(ctx.core.debug);
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const route = table.get(path);
    if (!route) {
      // Probes and other sites' URLs (the board's DNS sends every name here).
      if (captiveAction(req, path) === 'redirect') {
        redirectToPage(req, res);
        return;
      }
      sendText(res, 404, `no route ${path.slice(0, 100)}`);
      return;
    }
    const handler = route[req.method ?? ''];
    if (!handler) {
      sendText(res, 405, `use ${Object.keys(route).join(' or ')}`, { Allow: Object.keys(route).join(', ') });
      return;
    }
    try {
      handler(req, res, ctx);
    } catch (e) {
      ctx.log(`error in ${req.method} ${path}: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    }
  };
  const server = createServer(
    {
      maxHeaderSize: 8192,
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often the two timeouts above are checked (Node's default is 30 s).
      connectionsCheckingInterval: 1000,
    },
    handle,
  );
  table.set('/sim/qr', { GET: simQr(server) });
  // With this listener Node does not answer 100 Continue by itself: readBody
  // does, once it has decided to read the body.
  server.on('checkContinue', handle);
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxHeadersCount = 64;
  return server;
}

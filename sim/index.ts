/**
 * The desktop simulator: dist/core.wasm on a virtual board behind the HTTP
 * contract. `startSimulator` is what `npm start` (sim/main.ts), the tests and
 * the benchmarks use.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_CLIENT_CLOSE, type SimState } from './abi.ts';
import { Board } from './board.ts';
import { Clients } from './clients.ts';
import { CoreHost } from './core-host.ts';
import { CoreUpdates, UPDATE_DEFAULTS } from './core-update.ts';
import { loadValidator, VALIDATOR_WASM } from '../scripts/core-validator.ts';
import { loadPublicKey } from '../scripts/core-keys.ts';
import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createSimServer, DEFAULT_LIMITS, type Pages, type ServerLimits } from './http.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST_DIR = join(ROOT, 'dist');

export interface SimOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** The core module. Default dist/core.wasm. */
  corePath?: string;
  /** Directory with index.html, index.html.gz and sim.html. Default dist/. */
  pageDir?: string;
  /** Debounce window in ms (1..1000). Default 30. */
  debounceMs?: number;
  /** Keepalive period in ms (0 = off, else 1000..600000). Default 15000. */
  keepaliveMs?: number;
  /** Most SSE clients at once. Default 32. */
  maxClients?: number;
  /** Unsent bytes after which an SSE client is dropped. Default 64 KiB. */
  maxBuffered?: number;
  /** HTTP timeouts (slow clients). */
  limits?: Partial<ServerLimits>;
  /** Log lines (default: none). */
  log?: (line: string) => void;
  /** The project's public key for live updates (docs/update.md). Default:
   * keys/core-signing.pub.pem if it exists; null disables updates. */
  corePublicKey?: KeyObject | null;
  /** Largest PUT /core body. Default 32 KiB. */
  coreMaxBytes?: number;
  /** Faults within the window after a swap that roll it back. Default 3 in 60 s. */
  watchTraps?: number;
  watchWindowMs?: number;
  /** The LED changed. */
  onLed?: (on: boolean) => void;
}

export interface Simulator {
  /** http://host:port/ */
  url: string;
  port: number;
  /** True when the debug core (with debug_trap, and POST /sim/trap) is loaded. */
  debug: boolean;
  board: Board;
  core: CoreHost;
  state(): SimState;
  close(): Promise<void>;
}

export const DEFAULTS = {
  port: 8080,
  host: '127.0.0.1',
  debounceMs: 30,
  keepaliveMs: 15000,
  maxClients: 32,
  maxBuffered: 64 * 1024,
} as const;

async function readOptional(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export async function loadPages(dir: string): Promise<Pages> {
  const index = await readOptional(join(dir, 'index.html'));
  if (!index) throw new Error(`${join(dir, 'index.html')} is missing: run npm run build:web`);
  return {
    index,
    indexGz: await readOptional(join(dir, 'index.html.gz')),
    sim: await readOptional(join(dir, 'sim.html')),
    // Built with the page (web/build.mjs); absent in an older dist/: no ETag then.
    indexEtag: (await readOptional(join(dir, 'index.html.etag')))?.toString('latin1') ?? null,
    indexGzEtag: (await readOptional(join(dir, 'index.html.gz.etag')))?.toString('latin1') ?? null,
  };
}

export async function startSimulator(options: SimOptions = {}): Promise<Simulator> {
  const o = { ...DEFAULTS, ...options };
  const log = options.log ?? (() => {});
  const corePath = options.corePath ?? join(DIST_DIR, 'core.wasm');
  const pages = await loadPages(options.pageDir ?? DIST_DIR);
  const t0 = performance.now();

  // The registry and the core refer to each other: frames go to clients,
  // closed clients become EVENT_CLIENT_CLOSE.
  let core: CoreHost | undefined;
  const clients = new Clients({
    max: o.maxClients,
    maxBuffered: o.maxBuffered,
    onClose(id, reason) {
      log(`client ${id} ${reason === 'closed' ? 'closed' : `dropped: ${reason}`} (${clients.size} open)`);
      core?.post(EVENT_CLIENT_CLOSE, id);
    },
  });
  let updates: CoreUpdates | null = null;
  const coreBytes = new Uint8Array(await readFile(corePath));
  core = new CoreHost(await WebAssembly.compile(coreBytes), {
    debounceMs: o.debounceMs,
    keepaliveMs: o.keepaliveMs,
    sink: clients,
    now: () => performance.now() - t0,
    log,
    onLed: options.onLed,
    onFault: () => updates?.noteFault(),
  });
  const host = core;
  const coreMaxBytes = options.coreMaxBytes ?? UPDATE_DEFAULTS.maxBytes;
  if (existsSync(VALIDATOR_WASM)) {
    updates = new CoreUpdates(host, CoreUpdates.embeddedImage(host.module, coreBytes), await loadValidator(), {
      publicKey: options.corePublicKey === undefined ? loadPublicKey() : options.corePublicKey,
      maxBytes: coreMaxBytes,
      watchTraps: options.watchTraps ?? UPDATE_DEFAULTS.watchTraps,
      watchWindowMs: options.watchWindowMs ?? UPDATE_DEFAULTS.watchWindowMs,
      now: () => performance.now() - t0,
      log,
    });
  } else {
    log(`live core updates off: ${VALIDATOR_WASM} is missing (npm run setup && npm run build:validator)`);
  }
  const board = new Board(host);

  const state = (): SimState => {
    const s = host.state();
    return { led: s.led, clients: clients.size, dropped: s.dropped, id: s.id, restarts: host.restarts, switch_edge_us: board.lastEdgeUs };
  };

  const server = createSimServer(
    { core: host, updates, coreMaxBytes, clients, board, pages, log, state },
    { ...DEFAULT_LIMITS, ...options.limits },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => log(`server error: ${e.message}`));
  const port = (server.address() as AddressInfo).port;
  const shownHost = o.host.includes(':') ? `[${o.host}]` : o.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    debug: host.debug,
    board,
    core: host,
    state,
    close() {
      closing ??= new Promise<void>((resolve) => {
        board.stop();
        host.stop();
        updates?.stop();
        server.close(() => resolve());
        clients.closeAll();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * `npm start`: builds what is missing (core, page), then runs the simulator.
 *
 *   node --import tsx sim/main.ts [--port N] [--host ADDR] [--core PATH]
 *        [--debounce MS] [--keepalive MS] [--max-clients N] [--core-key PEM] [--quiet]
 *
 * Environment: PORT, SIM_CORE (same as --port, --core).
 */
import { spawnSync } from 'node:child_process';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { VALIDATOR_WASM } from '../scripts/core-validator.ts';
import type { Board } from './board.ts';
import { DIST_DIR, DEFAULTS, ROOT, startSimulator, type Simulator } from './index.ts';
import { phoneUrl, terminalQr } from './qr.ts';
import { isInteractive, openTerminal, PRESS_MS } from './terminal.ts';

const HELP = `Usage: npm start -- [options]

Runs dist/core.wasm on a virtual board and serves the page.

  --port N          TCP port (default ${DEFAULTS.port}, env PORT; 0 = any free port)
  --host ADDR       address to listen on (default ${DEFAULTS.host})
  --core PATH       core module (default dist/core.wasm, env SIM_CORE);
                    dist/core.debug.wasm adds POST /sim/trap
  --debounce MS     switch debounce window, 1..1000 (default ${DEFAULTS.debounceMs})
  --keepalive MS    SSE keepalive period, 0 or 1000..600000 (default ${DEFAULTS.keepaliveMs})
  --max-clients N   most SSE clients at once, more get 503 (default ${DEFAULTS.maxClients})
  --core-key PEM    public key that signed cores must verify with, for PUT /core
                    (default keys/core-signing.pub.pem from npm run keygen;
                    without one, live updates are refused)
  --quiet           log only LED changes, dropped clients and faults
  -h, --help        this text
`;

function fail(msg: string): never {
  process.stderr.write(`sim: ${msg}\n`);
  process.exit(2);
}

function intOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer in ${min}..${max}, got "${value}"`);
  return n;
}

function npmRun(script: string): void {
  process.stdout.write(`sim: running npm run ${script}\n`);
  const r = spawnSync('npm', ['run', script], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) fail(`npm run ${script} failed`);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        core: { type: 'string' },
        debounce: { type: 'string' },
        keepalive: { type: 'string' },
        'max-clients': { type: 'string' },
        'core-key': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (e) {
    fail(`${(e as Error).message}\n\n${HELP}`);
  }
})();

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const port = intOption('port', values.port ?? process.env.PORT, DEFAULTS.port, 0, 65535);
const keepalive = intOption('keepalive', values.keepalive, DEFAULTS.keepaliveMs, 0, 600000);
if (keepalive !== 0 && keepalive < 1000) fail('--keepalive must be 0 or 1000..600000');
const options = {
  port,
  host: values.host ?? DEFAULTS.host,
  debounceMs: intOption('debounce', values.debounce, DEFAULTS.debounceMs, 1, 1000),
  keepaliveMs: keepalive,
  maxClients: intOption('max-clients', values['max-clients'], DEFAULTS.maxClients, 1, 100000),
};
const corePath = resolve(values.core ?? process.env.SIM_CORE ?? join(DIST_DIR, 'core.wasm'));

// Build what is missing, showing the build's own output.
const builtCores = [join(DIST_DIR, 'core.wasm'), join(DIST_DIR, 'core.debug.wasm')];
if (!existsSync(corePath)) {
  if (builtCores.includes(corePath)) npmRun('asbuild');
  if (!existsSync(corePath)) fail(`core module ${corePath} not found`);
}
if (!['index.html', 'index.html.etag', 'sim.html'].every((f) => existsSync(join(DIST_DIR, f)))) npmRun('build:web');
// The update validator needs clang + lld (npm run setup); without them the
// simulator runs, with live updates off (it says so).
if (!existsSync(VALIDATOR_WASM) && spawnSync('sh', ['-c', 'command -v clang && command -v wasm-ld']).status === 0) {
  npmRun('build:validator');
}
let corePublicKey: KeyObject | null | undefined;
if (values['core-key'] !== undefined) {
  try {
    corePublicKey = createPublicKey(readFileSync(resolve(values['core-key'])));
  } catch (e) {
    fail(`--core-key ${values['core-key']}: ${(e as Error).message}`);
  }
}

let sim: Simulator | undefined;
let stopping = false;
const quit = (): void => {
  if (stopping) return;
  stopping = true;
  term.close();
  const timer = setTimeout(() => process.exit(0), 2000);
  timer.unref();
  void (sim?.close() ?? Promise.resolve()).then(() => process.exit(0));
};

const term = openTerminal(process.stdout, process.stdin, (): Board | undefined => sim?.board, quit);
const quiet = values.quiet;

try {
  sim = await startSimulator({
    ...options,
    corePath,
    ...(corePublicKey !== undefined ? { corePublicKey } : {}),
    log: (line) => {
      if (!quiet || /fault|error|restart|dropped/i.test(line)) term.log(line);
    },
    onLed: (on) => term.led(on),
  });
} catch (e) {
  term.close();
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EADDRINUSE') fail(`port ${port} is in use: try --port ${port + 1} or --port 0`);
  fail(err.message);
}

const base = sim.url;
const shown = relative(ROOT, corePath) || corePath;
process.stdout.write(
  `Simulator listening on ${base}\n` +
    `  core ${shown}${sim.debug ? ' (debug: POST /sim/trap)' : ''}, debounce ${options.debounceMs} ms, ` +
    `keepalive ${options.keepaliveMs} ms, at most ${options.maxClients} SSE clients\n` +
    `  open the page:          ${base}\n` +
    `  open the virtual board: ${base}sim\n` +
    (isInteractive(process.stdin, process.stdout)
      ? `  SPACE presses the switch (held ${PRESS_MS} ms), q quits\n`
      : ''),
);

// The page URL as a QR code for a phone's camera (the board prints its own).
const phone = phoneUrl(options.host, sim.port);
process.stdout.write(
  `\n${await terminalQr(phone.url)}  ${phone.url}` +
    (phone.reachable ? ' (scan with a phone on the same network)\n' : ' (loopback: start with --host 0.0.0.0 to open it from a phone)\n'),
);

process.on('SIGINT', quit);
process.on('SIGTERM', quit);

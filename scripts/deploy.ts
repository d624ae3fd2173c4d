// npm run deploy -- URL: builds the release core, signs it with the project's
// key and installs it on a board or the simulator without a reboot
// (docs/update.md). Prints the upload's progress, the board's answer and the
// new core's status; exits non-zero with the board's reason if it refuses.
//
//   npm run deploy -- http://192.168.4.1/
//   npm run deploy -- http://127.0.0.1:8080/ --version 42 --core dist/core.wasm
//   npm run deploy -- http://192.168.4.1/ --rollback previous     # or embedded
//
// --version defaults to the current Unix time in seconds, so every deploy is
// newer than the last one (the board refuses anything not newer).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { signCore, signRollback } from './core-image-format.ts';
import { loadPrivateKey, PRIVATE_KEY } from './core-keys.ts';

const ROOT = join(import.meta.dirname, '..');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    version: { type: 'string' },
    core: { type: 'string' },
    key: { type: 'string', default: PRIVATE_KEY },
    rollback: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  console.error(`deploy: ${message}`);
  process.exit(1);
}

const target = positionals[0];
if (!target) fail('usage: npm run deploy -- URL [--version N] [--core FILE] [--key FILE] [--rollback previous|embedded]');
const base = new URL(target);
if (base.protocol !== 'http:') fail(`${target}: only http:// URLs (the board serves plain HTTP on its own access point)`);

interface Answer { status: number; type: string; body: string }

function send(method: string, path: string, body: Uint8Array | null, type: string, progress = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), {
      method,
      headers: body ? { 'Content-Type': type, 'Content-Length': String(body.length) } : {},
      timeout: 30_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    if (body) {
      // Written in pieces so a slow link shows how far it got.
      const piece = 1024;
      let sent = 0;
      const next = (): void => {
        while (sent < body.length) {
          const end = Math.min(body.length, sent + piece);
          const more = req.write(body.subarray(sent, end));
          sent = end;
          if (progress) process.stdout.write(`\rdeploy: uploading ${sent}/${body.length} bytes (${Math.round((100 * sent) / body.length)}%)`);
          if (!more) {
            req.once('drain', next);
            return;
          }
        }
        if (progress) process.stdout.write('\n');
        req.end();
      };
      next();
    } else {
      req.end();
    }
  });
}

function show(a: Answer): string {
  return a.type.includes('json') ? JSON.stringify(JSON.parse(a.body), null, 2) : a.body.trim();
}

async function status(): Promise<{ running: { sha256: string } } & Record<string, unknown>> {
  const a = await send('GET', '/core', null, '');
  if (a.status !== 200) fail(`GET /core answered ${a.status}: ${a.body.trim()} (is ${base.href} this project's board or simulator?)`);
  return JSON.parse(a.body);
}

async function main(): Promise<void> {
  const key = loadPrivateKey(values.key);
  if (values.rollback !== undefined) {
    const to = values.rollback;
    if (to !== 'previous' && to !== 'embedded') fail('--rollback takes previous or embedded');
    const running = (await status()).running.sha256;
    const signature = signRollback(to, running, key);
    const a = await send('POST', '/core/rollback', Buffer.from(JSON.stringify({ to, signature })), 'application/json');
    console.log(`deploy: rollback to ${to}: ${a.status}\n${show(a)}`);
    if (a.status !== 200) process.exit(1);
    return;
  }
  if (!values['no-build'] && values.core === undefined) {
    console.log('deploy: building the release core (npm run asbuild:release)');
    const r = spawnSync('npm', ['run', '--silent', 'asbuild:release'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) fail('npm run asbuild:release failed: fix the compiler errors above');
  }
  const module = new Uint8Array(readFileSync(values.core ?? join(ROOT, 'dist', 'core.wasm')));
  const version = values.version !== undefined ? Number(values.version) : Math.floor(Date.now() / 1000);
  if (!Number.isInteger(version) || version < 1 || version > 0xffffffff) fail(`--version ${values.version}: a whole number 1..4294967295`);
  const file = signCore(module, version, key);
  console.log(`deploy: ${file.length} bytes, version ${version}, signed with ${values.key}`);
  const a = await send('PUT', '/core', file, 'application/wasm', true);
  if (a.status !== 200) fail(`${base.href} refused the core (${a.status}): ${a.body.trim()}`);
  console.log(`deploy: ${a.status}, the new core serves\n${show(a)}`);
}

main().catch((e: unknown) => fail((e as Error).message));

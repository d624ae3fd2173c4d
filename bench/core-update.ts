// Live-update figures (docs/update.md), printed by npm run bench:
//  - the validator's and the signature check's cost on this machine (the
//    same C as the board, built here with cc -O2 against Debian's mbedTLS);
//  - time from an upload's last byte to the new core serving, in the
//    simulator (the 200 comes after the trial and the swap), p50/p99;
//  - the extra memory a second core instance takes while a trial runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { rawPublicKey } from '../scripts/core-image-format.ts';
import { startSimulator } from '../sim/index.ts';
import { percentile } from '../tests/support/raw-http.ts';
import { updateCores } from '../tests/support/update-cores.ts';

export interface UpdateReport {
  fileBytes: number;
  checkUs: number;
  checkMbPerS: number;
  verifyUs: number;
  uploads: number;
  serveMs: { p50: number; p99: number; max: number };
  secondInstanceBytes: number;
}

function nativeThroughput(file: Uint8Array, pubkey: Uint8Array, iterations: number): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-validator-'));
  try {
    const exe = join(dir, 'validator-throughput');
    const cc = spawnSync('cc', ['-std=c11', '-O2', '-I', 'host/portable', '-o', exe, 'bench/validator-throughput.c',
      'host/portable/core_image.c', 'host/portable/wasm_code.c', 'host/portable/core_abi.c', 'host/portable/core_sig.c', '-lmbedcrypto'],
    { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`building bench/validator-throughput.c failed (npm run setup installs libmbedtls-dev):\n${cc.stderr}`);
    writeFileSync(join(dir, 'core.wasm'), file);
    writeFileSync(join(dir, 'key.bin'), pubkey);
    const r = spawnSync(exe, [join(dir, 'core.wasm'), join(dir, 'key.bin'), String(iterations)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`validator-throughput: ${r.stderr}`);
    return Object.fromEntries(r.stdout.trim().split('\n').map((l) => { const [k, v] = l.split(' '); return [k!, Number(v)]; }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function put(url: string, body: Uint8Array): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    const req = request(new URL('/core', url), { method: 'PUT', agent: false, headers: { 'Content-Type': 'application/wasm', 'Content-Length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - sent }));
    });
    req.on('error', reject);
    req.end(body, () => {
      sent = performance.now(); // the last byte is written: the simulator now validates, tries, swaps
    });
  });
}

export async function measureUpdates(uploads: number, log: (line: string) => void): Promise<UpdateReport> {
  const cores = updateCores();
  const native = nativeThroughput(cores.release(1), rawPublicKey(cores.publicKey), 20_000);
  log(`  validator: ${native.check_us!.toFixed(2)} µs per ${native.file_bytes} B file (${native.check_mb_per_s} MB/s); SHA-256 + ECDSA verify ${native.sha256_and_verify_us!.toFixed(0)} µs`);

  const sim = await startSimulator({ port: 0, corePublicKey: cores.publicKey, watchWindowMs: 1000 });
  try {
    const times: number[] = [];
    for (let i = 0; i < uploads; i++) {
      const r = await put(sim.url, cores.release(10 + i));
      if (r.status !== 200) throw new Error(`upload ${i} answered ${r.status}`);
      times.push(r.ms);
    }
    times.sort((a, b) => a - b);
    // A second instance's memory: the resident-memory cost of one more
    // instance of the core, averaged over 200 kept alive at once (one alone
    // is below RSS noise). V8 gives each the declared 64 KiB page; WAMR on
    // the board keeps 4 KiB (docs/abi.md "Memory").
    const module = await WebAssembly.compile(cores.release(999) as Uint8Array<ArrayBuffer>);
    const noop = { host: { led_set() {}, sse_send: () => 0, sse_broadcast() {} } };
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    const keep = Array.from({ length: 200 }, () => new WebAssembly.Instance(module, noop));
    for (const inst of keep) new Uint8Array((inst.exports.memory as WebAssembly.Memory).buffer).fill(1); // touch it: resident
    const second = Math.round((process.memoryUsage().rss - before) / keep.length);
    keep.length = 0;
    return {
      fileBytes: native.file_bytes!, checkUs: native.check_us!, checkMbPerS: native.check_mb_per_s!, verifyUs: native.sha256_and_verify_us!,
      uploads, serveMs: { p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1]! },
      secondInstanceBytes: second,
    };
  } finally {
    await sim.close();
  }
}

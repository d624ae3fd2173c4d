/**
 * The desktop simulator as a child process, the way a user runs it:
 *   node --import tsx sim/main.ts --port 0 [--max-clients N] [--core PATH] ...
 * by default with --expose-gc and a preloaded hook (sim-memory-hook.ts) so
 * memory can be read after a full GC over IPC. The URL is parsed from what it
 * prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SimState } from '../../sim/abi.ts';
import { request } from './raw-http.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HOOK = pathToFileURL(join(ROOT, 'tests', 'support', 'sim-memory-hook.ts')).href;

export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** A full GC ran before reading (the child has --expose-gc). */
  gcRan: boolean;
}

export interface SimChildOptions {
  /** TCP port. Default 0 (a free one). */
  port?: number;
  /** Extra arguments after sim/main.ts (e.g. ['--max-clients', '1000']). */
  args?: string[];
  /** Core module (relative to the repo root or absolute). */
  core?: string;
  maxClients?: number;
  debounceMs?: number;
  keepaliveMs?: number;
  /**
   * Run this script instead of sim/main.ts (e.g. bench/baseline-sse-server.ts);
   * it gets only `--port` and `args`.
   */
  script?: string;
  /** Without --quiet: the simulator logs every client open/close and drop reason. */
  verbose?: boolean;
  /** Startup deadline. Default 20000 (tsx compiles the simulator on first start). */
  startTimeoutMs?: number;
  /** --expose-gc, the memory hook and its IPC channel, for memory(). Default true. */
  memoryHook?: boolean;
}

/** Keeps the first and the last `cap` characters of a long output. */
class OutputLog {
  private head = '';
  private tail: string[] = [];
  private tailSize = 0;
  private skipped = 0;
  constructor(private readonly cap = 256 * 1024) {}

  add(text: string): void {
    if (this.head.length < this.cap) {
      const room = this.cap - this.head.length;
      this.head += text.slice(0, room);
      text = text.slice(room);
      if (!text) return;
    }
    this.tail.push(text);
    this.tailSize += text.length;
    while (this.tailSize - this.tail[0]!.length >= this.cap) {
      this.tailSize -= this.tail[0]!.length;
      this.skipped += this.tail.shift()!.length;
    }
  }

  text(): string {
    return this.skipped ? `${this.head}\n[... ${this.skipped} characters ...]\n${this.tail.join('')}` : this.head + this.tail.join('');
  }
}

export class SimChild {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
  private readonly out: OutputLog;
  private seq = 0;
  private exited: Promise<number | null>;

  private constructor(child: ChildProcess, url: string, out: OutputLog, exited: Promise<number | null>) {
    this.child = child;
    this.url = url;
    this.port = Number(new URL(url).port);
    this.out = out;
    this.exited = exited;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** What the simulator printed (stdout and stderr): the first and the last 256 KiB. */
  output(): string {
    return this.out.text();
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  static async start(options: SimChildOptions = {}): Promise<SimChild> {
    const hook = options.memoryHook ?? true;
    const port = String(options.port ?? 0);
    const args = hook ? ['--expose-gc', '--import', 'tsx', '--import', HOOK] : ['--import', 'tsx'];
    if (options.script) args.push(options.script, '--port', port);
    else args.push('sim/main.ts', '--port', port, ...(options.verbose ? [] : ['--quiet']));
    if (options.core) args.push('--core', options.core);
    if (options.maxClients !== undefined) args.push('--max-clients', String(options.maxClients));
    if (options.debounceMs !== undefined) args.push('--debounce', String(options.debounceMs));
    if (options.keepaliveMs !== undefined) args.push('--keepalive', String(options.keepaliveMs));
    args.push(...(options.args ?? []));
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: hook ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PORT: '' },
    });
    const out = new OutputLog();
    const keep = (b: Buffer): void => out.add(b.toString('utf8'));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const timeoutMs = options.startTimeoutMs ?? 20_000;
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`simulator printed no URL within ${timeoutMs} ms:\n${out.text()}`));
      }, timeoutMs);
      const look = (): void => {
        const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out.text());
        if (m && Number(m[1]) > 0) {
          clearTimeout(timer);
          child.stdout!.off('data', look);
          resolve(m[0]);
        }
      };
      child.stdout!.on('data', look);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`simulator exited (${code}) before printing its URL:\n${out.text()}`));
      });
    });
    return new SimChild(child, url, out, exited);
  }

  async state(): Promise<SimState> {
    const r = await request(this.port, 'GET', '/sim/state');
    if (r.status !== 200) throw new Error(`GET /sim/state: ${r.status} ${r.body}`);
    return JSON.parse(r.body) as SimState;
  }

  /** Resident set size from /proc/PID/status (VmRSS), in bytes. */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
    if (!m) throw new Error(`no VmRSS in /proc/${this.pid}/status`);
    return Number(m[1]) * 1024;
  }

  /** process.memoryUsage() of the simulator, after a full GC unless gc is false. */
  memory(gc = true, timeoutMs = 5000): Promise<MemoryUsage> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.off('message', onMessage);
        reject(new Error(`simulator did not report memory within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (m: unknown): void => {
        const msg = m as Partial<MemoryUsage> & { type?: string; seq?: number };
        if (msg.type !== 'memory' || msg.seq !== seq) return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(msg as MemoryUsage);
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'memory', seq, gc });
    });
  }

  /** `signal` (SIGTERM), then SIGKILL if it has not exited after graceMs. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<number | null> {
    if (!this.alive) return this.child.exitCode;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/**
 * The simulator as a separate process, the way a person runs it:
 * `node --import tsx sim/main.ts --port N`; the URL is read from its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SimProcess {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM (or `signal`), then waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnSim(args: string[] = [], timeoutMs = 30000): Promise<SimProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'sim', 'main.ts'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: '' },
  });
  let out = '';
  const exited = once(proc, 'exit');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (c: Buffer): void => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited (${code}) before listening:\n${out}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    proc,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

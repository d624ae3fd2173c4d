/** Polling helpers: tests wait for a condition, never for a fixed time. */
import { performance } from 'node:perf_hooks';

/** Polls `probe` until `accept` holds; rejects with the last value after timeoutMs. */
export async function pollUntil<T>(
  probe: () => Promise<T> | T,
  accept: (v: T) => boolean,
  timeoutMs: number,
  what: string,
  intervalMs = 20,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (e) {
      lastError = e;
    }
    if (performance.now() > deadline) {
      const detail = lastError ? ` (last error: ${(lastError as Error).message})` : '';
      throw new Error(`${what}: not within ${timeoutMs} ms, last value ${JSON.stringify(last)}${detail}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Polls `probe` until it returns a value other than undefined, null or false, and returns that value. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 5000,
  intervalMs = 10,
): Promise<T> {
  const v = await pollUntil(probe, (x) => x !== undefined && x !== null && x !== false, timeoutMs, what, intervalMs);
  return v as T;
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

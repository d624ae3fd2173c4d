// Memory per connected SSE client: the simulator against the minimal Node SSE
// server (bench/baseline-sse-server.ts), both fresh child processes.
//
// Clients are added in steps (0, N/5, ..., N raw node:net clients); at each
// step both processes run a full GC, wait, GC again and report
// process.memoryUsage() over IPC (tests/support/sim-memory-hook.ts). The cost
// per client is the least-squares slope over the steps, which removes the
// constant offsets and averages out most GC/allocator noise; R² says how
// linear the points were.
import { setTimeout as delay } from 'node:timers/promises';
import { SimChild, type MemoryUsage } from '../tests/support/load-sim.ts';
import { RawSseClient } from '../tests/support/raw-http.ts';
import { pollClients } from './sse-latency.ts';

/** Raw node:net SSE clients on one server (memory needs them open, not timed). */
class Fleet {
  private readonly clients: RawSseClient[] = [];

  constructor(private readonly port: number) {}

  /** Opens clients (50 at a time) until there are n, each having its first frame. */
  async grow(n: number): Promise<void> {
    while (this.clients.length < n) {
      const batch = Math.min(50, n - this.clients.length);
      const opened = await Promise.all(Array.from({ length: batch }, () => RawSseClient.open(this.port, { timeoutMs: 10_000 })));
      for (const c of opened) {
        if (c.head?.status !== 200) throw new Error(`GET /demo_sse answered ${c.head?.statusLine}: ${c.body}`);
      }
      await Promise.all(opened.map((c) => c.waitFrames(1, 10_000)));
      this.clients.push(...opened);
    }
  }

  closeAll(): void {
    for (const c of this.clients) c.close();
    this.clients.length = 0;
  }
}

/**
 * Memory after a full GC, once V8 has had time to hand freed pages back:
 * GC, wait, GC again, read (RSS otherwise lags the heap by several MiB).
 */
async function settledMemory(p: SimChild): Promise<MemoryUsage> {
  await p.memory();
  await delay(500);
  return p.memory();
}

export interface MemoryStep {
  n: number;
  sim: MemoryUsage;
  baseline: MemoryUsage;
}

export interface Slope {
  /** Bytes per client. */
  perClient: number;
  r2: number;
}

export interface MemoryReport {
  steps: MemoryStep[];
  simRss: Slope;
  simHeap: Slope;
  baselineRss: Slope;
  baselineHeap: Slope;
}

function fit(xs: number[], ys: number[]): Slope {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  });
  return { perClient: sxy / sxx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

export async function measureMemoryPerClient(maxN: number, stepsCount: number, log: (line: string) => void): Promise<MemoryReport> {
  const sim = await SimChild.start({ maxClients: maxN + 16 });
  const base = await SimChild.start({ script: 'bench/baseline-sse-server.ts' });
  const simFleet = new Fleet(sim.port);
  const baseFleet = new Fleet(base.port);
  const steps: MemoryStep[] = [];
  try {
    // Warm the connection paths of both servers, then start from 0 again.
    await simFleet.grow(100);
    await baseFleet.grow(100);
    simFleet.closeAll();
    baseFleet.closeAll();
    await pollClients(sim, 0);
    for (let k = 0; k <= stepsCount; k++) {
      const n = Math.round((maxN * k) / stepsCount);
      await simFleet.grow(n);
      await baseFleet.grow(n);
      await pollClients(sim, n);
      const [s, b] = await Promise.all([settledMemory(sim), settledMemory(base)]);
      steps.push({ n, sim: s, baseline: b });
      log(`  ${n} clients: simulator rss ${(s.rss / 1048576).toFixed(1)} MiB heap ${(s.heapUsed / 1048576).toFixed(2)} MiB; baseline rss ${(b.rss / 1048576).toFixed(1)} MiB heap ${(b.heapUsed / 1048576).toFixed(2)} MiB`);
    }
  } finally {
    simFleet.closeAll();
    baseFleet.closeAll();
    await Promise.all([sim.stop(), base.stop()]);
  }
  const xs = steps.map((s) => s.n);
  return {
    steps,
    simRss: fit(xs, steps.map((s) => s.sim.rss)),
    simHeap: fit(xs, steps.map((s) => s.sim.heapUsed)),
    baselineRss: fit(xs, steps.map((s) => s.baseline.rss)),
    baselineHeap: fit(xs, steps.map((s) => s.baseline.heapUsed)),
  };
}

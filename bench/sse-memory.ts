// Memory per connected SSE client: the simulator against the minimal Node SSE
// server (bench/baseline-sse-server.ts), both fresh child processes.
//
// Clients are added in steps (0, N/5, ..., N raw node:net clients); at each
// step both processes run a full GC, wait, GC again and report
// process.memoryUsage() over IPC (tests/support/sim-memory-hook.ts). The cost
// per client is the least-squares slope over the steps, which removes the
// constant offsets and averages out most GC/allocator noise; R² says how
// linear the points were.
import { SimChild, type MemoryUsage } from '../tests/support/load-sim.ts';
import { Fleet, pollClients, settledMemory } from './sse-latency.ts';

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

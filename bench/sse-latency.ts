// End-to-end latency of the simulator against a minimal Node SSE broadcast
// server (bench/baseline-sse-server.ts).
//
// Both servers run as child processes; N raw node:net clients (no EventSource
// library) are connected to each. A trial sends one request on a kept-alive
// control connection and stamps t0 just before writing it; each client's
// latency is the arrival time of the frame carrying the new id minus t0.
//   - sim, release: POST /sim/switch up, after a down held > debounce window.
//     The frame can only leave once the release has been stable for the
//     window (30 ms by default): the core asks to be polled exactly then, so
//     "minus window" subtracts the configured window and what remains is work.
//   - sim, click:   PUT /icon "led" (no debounce: the host-path cost).
//   - baseline:     POST /broadcast.
// Trials alternate sim/baseline so drift hits both alike.
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { SimChild, type MemoryUsage } from '../tests/support/load-sim.ts';
import { agentRequest, percentile, RawSseClient, type SseFrame } from '../tests/support/raw-http.ts';

export interface Stats {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LatencyRow {
  n: number;
  releaseRaw: Stats;
  releaseMinusWindow: Stats;
  click: Stats;
  baseline: Stats;
}

export interface LatencyReport {
  debounceMs: number;
  trials: Record<number, number>;
  latency: LatencyRow[];
  notes: string[];
}

function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  return { samples: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

/** A set of N SSE clients on one server, with per-trial frame accounting. */
export class Fleet {
  readonly clients: RawSseClient[] = [];
  private expectAbove = Infinity;
  private t0 = 0;
  private got = new Set<RawSseClient>();
  private latencies: number[] = [];
  private done: (() => void) | null = null;

  constructor(readonly port: number) {}

  private onFrame = (f: SseFrame, c: RawSseClient): void => {
    if (f.data === undefined || Number(f.id) <= this.expectAbove || this.got.has(c)) return;
    this.got.add(c);
    this.latencies.push(f.at - this.t0);
    if (this.got.size === this.clients.length) this.done?.();
  };

  /** Opens clients (50 at a time) until there are n, each having its first frame. */
  async grow(n: number): Promise<void> {
    while (this.clients.length < n) {
      const batch = Math.min(50, n - this.clients.length);
      const opened = await Promise.all(
        Array.from({ length: batch }, () => RawSseClient.open(this.port, { onFrame: this.onFrame, timeoutMs: 10_000 })),
      );
      for (const c of opened) {
        if (c.head?.status !== 200) throw new Error(`GET /demo_sse answered ${c.head?.statusLine}: ${c.body}`);
      }
      await Promise.all(opened.map((c) => c.waitFrames(1, 10_000)));
      this.clients.push(...opened);
    }
  }

  /** Highest state id every client has seen. */
  lastId(): number {
    let id = -1;
    for (const c of this.clients) id = Math.max(id, Number(c.lastState()?.id ?? -1));
    return id;
  }

  /** Arms the accounting for frames with id > afterId; t0 is stamped by `stamp()`. */
  arm(afterId: number): Promise<number[]> {
    this.expectAbove = afterId;
    this.got = new Set();
    this.latencies = [];
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.got.size}/${this.clients.length} clients got a frame with id > ${afterId} within 10 s`)),
        10_000,
      );
      this.done = () => {
        clearTimeout(timer);
        resolve();
      };
      if (this.clients.length === 0) this.done();
    }).then(() => {
      this.done = null;
      this.expectAbove = Infinity;
      return this.latencies;
    });
  }

  stamp(): void {
    this.t0 = performance.now();
  }

  closeAll(): void {
    for (const c of this.clients) c.close();
    this.clients.length = 0;
  }
}

async function expectStatus(p: Promise<number>, want: number, what: string): Promise<void> {
  const got = await p;
  if (got !== want) throw new Error(`${what}: HTTP ${got}, expected ${want}`);
}

export interface LatencyOptions {
  ns: number[];
  trials: (n: number) => number;
  debounceMs: number;
  log: (line: string) => void;
}

export async function measureLatency(opts: LatencyOptions): Promise<LatencyReport> {
  const maxN = Math.max(...opts.ns);
  const sim = await SimChild.start({ maxClients: maxN + 16, debounceMs: opts.debounceMs });
  const base = await SimChild.start({ script: 'bench/baseline-sse-server.ts' });
  const simAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const baseAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const simFleet = new Fleet(sim.port);
  const baseFleet = new Fleet(base.port);
  const latency: LatencyRow[] = [];
  const trials: Record<number, number> = {};
  const notes: string[] = [];
  try {
    opts.log(`  simulator pid ${sim.pid} at ${sim.url}, baseline pid ${base.pid} at ${base.url}`);
    // Warm both paths (JIT, first connections) before anything is measured.
    await simFleet.grow(1);
    await baseFleet.grow(1);
    for (let i = 0; i < 20; i++) {
      const a = simFleet.arm(simFleet.lastId());
      await expectStatus(agentRequest(simAgent, sim.port, 'PUT', '/icon', 'led', () => simFleet.stamp()), 204, 'PUT /icon');
      await a;
      const b = baseFleet.arm(baseFleet.lastId());
      await expectStatus(agentRequest(baseAgent, base.port, 'POST', '/broadcast', '', () => baseFleet.stamp()), 204, 'POST /broadcast');
      await b;
    }
    simFleet.closeAll();
    baseFleet.closeAll();
    await pollClients(sim, 0);
    await delay(200);

    for (const n of opts.ns) {
      const t = opts.trials(n);
      trials[n] = t;
      const started = performance.now();
      await simFleet.grow(n);
      await baseFleet.grow(n);
      const st = await sim.state();
      if (st.clients !== n) throw new Error(`simulator reports ${st.clients} clients, expected ${n}`);
      opts.log(`  N=${n}: connected in ${Math.round(performance.now() - started)} ms; ${t} trials per path`);

      const release: number[] = [];
      const click: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < t; i++) {
        // Press and hold well past the window, then measure the release.
        await expectStatus(agentRequest(simAgent, sim.port, 'POST', '/sim/switch', 'down', () => {}), 204, 'POST /sim/switch down');
        await delay(opts.debounceMs + 30);
        let a = simFleet.arm(simFleet.lastId());
        await expectStatus(agentRequest(simAgent, sim.port, 'POST', '/sim/switch', 'up', () => simFleet.stamp()), 204, 'POST /sim/switch up');
        release.push(...(await a));
        await delay(10);
        a = simFleet.arm(simFleet.lastId());
        await expectStatus(agentRequest(simAgent, sim.port, 'PUT', '/icon', 'led', () => simFleet.stamp()), 204, 'PUT /icon');
        click.push(...(await a));
        await delay(10);
        a = baseFleet.arm(baseFleet.lastId());
        await expectStatus(agentRequest(baseAgent, base.port, 'POST', '/broadcast', '', () => baseFleet.stamp()), 204, 'POST /broadcast');
        baseline.push(...(await a));
        await delay(10);
      }
      const row: LatencyRow = {
        n,
        releaseRaw: stats(release),
        releaseMinusWindow: stats(release.map((v) => v - opts.debounceMs)),
        click: stats(click),
        baseline: stats(baseline),
      };
      latency.push(row);
      opts.log(`  N=${n}: release p50 ${ms(row.releaseRaw.p50)} p99 ${ms(row.releaseRaw.p99)}; click p50 ${ms(row.click.p50)} p99 ${ms(row.click.p99)}; baseline p50 ${ms(row.baseline.p50)} p99 ${ms(row.baseline.p99)} (${Math.round((performance.now() - started) / 100) / 10} s)`);
    }
    const final = await sim.state();
    if (final.dropped !== 0) notes.push(`the core dropped ${final.dropped} events during the run`);
    return { debounceMs: opts.debounceMs, trials, latency, notes };
  } finally {
    simFleet.closeAll();
    baseFleet.closeAll();
    simAgent.destroy();
    baseAgent.destroy();
    await Promise.all([sim.stop(), base.stop()]);
  }
}

/**
 * Memory after a full GC, once V8 has had time to hand freed pages back:
 * GC, wait, GC again, read (RSS otherwise lags the heap by several MiB).
 */
export async function settledMemory(p: SimChild): Promise<MemoryUsage> {
  await p.memory();
  await delay(500);
  return p.memory();
}

export async function pollClients(sim: SimChild, want: number): Promise<void> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const s = await sim.state();
    if (s.clients === want) return;
    if (performance.now() > deadline) throw new Error(`simulator still reports ${s.clients} clients, expected ${want}`);
    await delay(20);
  }
}

const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
const ms = (v: number): string => `${v.toFixed(2)} ms`;

// End-to-end latency of the simulator against a minimal Node SSE broadcast
// server (bench/baseline-sse-server.ts).
//
// Both servers run as child processes. Their N clients are one C process per
// server (bench/sse-probe.c): N sockets in one epoll loop, each frame stamped
// with the kernel's receive time on CLOCK_MONOTONIC, process.hrtime's clock. A Node
// client fleet would itself need about 1-2 ms to read 100 sockets in one
// event loop, more than what is measured.
//
//   - sim, release: POST /sim/switch down, hold > window, POST /sim/switch up.
//     The frame can only leave once the release has been stable for the
//     window (30 ms by default). Latency is counted from the switch edge,
//     which the simulator stamps the moment the level changes
//     (/sim/state switch_edge_us, as a board's interrupt stamps its edge),
//     minus the window: what remains is the host waking the core and the
//     fan-out. The same arrivals are also counted from t0, the bench's write
//     of the POST that moves the virtual switch (HTTP on loopback included).
//   - sim, click:   PUT /icon "led" (no debounce), from t0.
//   - baseline:     POST /broadcast, from t0.
// t0 is stamped right before the request is written. Trials alternate
// sim/baseline so drift hits both alike.
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { ROOT, SimChild } from '../tests/support/load-sim.ts';
import { agentRequest, percentile } from '../tests/support/raw-http.ts';
import { pollUntil } from '../tests/support/wait.ts';

export interface Stats {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LatencyRow {
  n: number;
  /** Arrival at each client − the switch edge − the window. */
  releaseFromEdge: Stats;
  /** Arrival − the write of POST /sim/switch up − the window. */
  releaseFromRequest: Stats;
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

/** Compiles bench/sse-probe.c (cc -O2) into test-output/bench/; returns the executable. */
export function buildProbe(): string {
  const dir = join(ROOT, 'test-output', 'bench');
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, 'sse-probe');
  const cc = spawnSync('cc', ['-std=c11', '-O2', '-Wall', '-o', exe, join(ROOT, 'bench', 'sse-probe.c')], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) {
    throw new Error(`building bench/sse-probe.c failed (it needs a C compiler: npm run setup installs gcc):\n${cc.stderr ?? cc.error?.message}`);
  }
  return exe;
}

/** The probe speaks on stdin/stdout; its stderr (usage only) goes to ours. */
type ProbeProcess = ChildProcessByStdio<Writable, Readable, null>;

/** N SSE clients of one server, in a bench/sse-probe.c process. */
export class Probe {
  /** The highest state id the clients have seen. */
  lastId: number;
  private readonly child: ProbeProcess;
  private readonly lines: AsyncIterator<string>;

  private constructor(child: ProbeProcess, lines: AsyncIterator<string>, lastId: number) {
    this.child = child;
    this.lines = lines;
    this.lastId = lastId;
  }

  /** Connects n clients to the server on `port`; resolves once each has its first frame. */
  static async open(exe: string, port: number, n: number): Promise<Probe> {
    const child = spawn(exe, [String(port), String(n)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await Probe.next(lines, child);
    const m = /^ready (-?\d+)$/.exec(first);
    if (!m) throw new Error(`sse-probe: expected "ready <id>", got "${first}"`);
    return new Probe(child, lines, Number(m[1]));
  }

  private static async next(lines: AsyncIterator<string>, child: ProbeProcess): Promise<string> {
    const r = await lines.next();
    if (r.done) throw new Error(`sse-probe exited (${child.exitCode ?? child.signalCode}) before answering`);
    const line = r.value as string;
    if (line.startsWith('error')) throw new Error(`sse-probe: ${line}`);
    return line;
  }

  /** Waits until every client has a frame newer than lastId; returns each one's arrival (ns). */
  async nextFrame(): Promise<bigint[]> {
    this.child.stdin.write(`above ${this.lastId}\n`);
    const [tag, id, ...times] = (await Probe.next(this.lines, this.child)).split(' ');
    if (tag !== 'ok' || id === undefined) throw new Error(`sse-probe: unexpected answer "${tag} ${id}"`);
    this.lastId = Number(id);
    return times.map(BigInt);
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
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

const msSince = (at: bigint, from: bigint): number => Number(at - from) / 1e6;

export async function measureLatency(opts: LatencyOptions): Promise<LatencyReport> {
  const exe = buildProbe();
  const maxN = Math.max(...opts.ns);
  const sim = await SimChild.start({ maxClients: maxN + 16, debounceMs: opts.debounceMs });
  const base = await SimChild.start({ script: 'bench/baseline-sse-server.ts' });
  const simAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const baseAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latency: LatencyRow[] = [];
  const trials: Record<number, number> = {};
  const notes: string[] = [];
  const probes: Probe[] = [];
  const open = async (port: number, n: number): Promise<Probe> => {
    const p = await Probe.open(exe, port, n);
    probes.push(p);
    return p;
  };
  const closeProbes = (): void => {
    for (const p of probes.splice(0)) p.close();
  };
  let t0 = 0n;
  const stamp = (): void => {
    t0 = process.hrtime.bigint();
  };
  try {
    opts.log(`  simulator pid ${sim.pid} at ${sim.url}, baseline pid ${base.pid} at ${base.url}; clients: ${exe}`);
    // Warm both paths (JIT, first connections) before anything is measured.
    {
      const s = await open(sim.port, 1);
      const b = await open(base.port, 1);
      for (let i = 0; i < 20; i++) {
        await expectStatus(agentRequest(simAgent, sim.port, 'PUT', '/icon', 'led'), 204, 'PUT /icon');
        await s.nextFrame();
        await expectStatus(agentRequest(baseAgent, base.port, 'POST', '/broadcast', ''), 204, 'POST /broadcast');
        await b.nextFrame();
      }
      closeProbes();
      await pollClients(sim, 0);
      await delay(200);
    }

    for (const n of opts.ns) {
      const t = opts.trials(n);
      trials[n] = t;
      const started = performance.now();
      const simProbe = await open(sim.port, n);
      const baseProbe = await open(base.port, n);
      const st = await sim.state();
      if (st.clients !== n) throw new Error(`simulator reports ${st.clients} clients, expected ${n}`);
      opts.log(`  N=${n}: connected in ${Math.round(performance.now() - started)} ms; ${t} trials per path`);

      const fromEdge: number[] = [];
      const fromRequest: number[] = [];
      const click: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < t; i++) {
        // Press and hold well past the window, then measure the release.
        await expectStatus(agentRequest(simAgent, sim.port, 'POST', '/sim/switch', 'down'), 204, 'POST /sim/switch down');
        await delay(opts.debounceMs + 30);
        await expectStatus(agentRequest(simAgent, sim.port, 'POST', '/sim/switch', 'up', stamp), 204, 'POST /sim/switch up');
        const arrivals = await simProbe.nextFrame();
        const edgeUs = (await sim.state()).switch_edge_us;
        if (edgeUs === null) throw new Error('GET /sim/state has no switch_edge_us after a release');
        const edge = BigInt(edgeUs) * 1000n;
        // The core sees whole ms, so a frame may leave up to 1 ms before edge +
        // window; earlier means the two processes' clocks are not one clock.
        if (edge < t0 || arrivals.some((a) => msSince(a, edge) < opts.debounceMs - 1.5)) {
          throw new Error('the switch edge and the frames disagree with the bench clock: is CLOCK_MONOTONIC shared by the processes?');
        }
        for (const a of arrivals) {
          fromEdge.push(msSince(a, edge) - opts.debounceMs);
          fromRequest.push(msSince(a, t0) - opts.debounceMs);
        }
        await delay(10);
        await expectStatus(agentRequest(simAgent, sim.port, 'PUT', '/icon', 'led', stamp), 204, 'PUT /icon');
        for (const a of await simProbe.nextFrame()) click.push(msSince(a, t0));
        await delay(10);
        await expectStatus(agentRequest(baseAgent, base.port, 'POST', '/broadcast', '', stamp), 204, 'POST /broadcast');
        for (const a of await baseProbe.nextFrame()) baseline.push(msSince(a, t0));
        await delay(10);
      }
      const row: LatencyRow = {
        n,
        releaseFromEdge: stats(fromEdge),
        releaseFromRequest: stats(fromRequest),
        click: stats(click),
        baseline: stats(baseline),
      };
      latency.push(row);
      opts.log(
        `  N=${n}: release − window from the edge p50 ${ms(row.releaseFromEdge.p50)} p99 ${ms(row.releaseFromEdge.p99)}, from the request p50 ${ms(row.releaseFromRequest.p50)} p99 ${ms(row.releaseFromRequest.p99)}; ` +
          `click p50 ${ms(row.click.p50)} p99 ${ms(row.click.p99)}; baseline p50 ${ms(row.baseline.p50)} p99 ${ms(row.baseline.p99)} (${Math.round((performance.now() - started) / 100) / 10} s)`,
      );
      closeProbes();
      await pollClients(sim, 0);
    }
    const final = await sim.state();
    if (final.dropped !== 0) notes.push(`the core dropped ${final.dropped} events during the run`);
    return { debounceMs: opts.debounceMs, trials, latency, notes };
  } finally {
    closeProbes();
    simAgent.destroy();
    baseAgent.destroy();
    await Promise.all([sim.stop(), base.stop()]);
  }
}

/** Waits until the simulator reports `want` SSE clients (10 s at most). */
export async function pollClients(sim: SimChild, want: number): Promise<void> {
  await pollUntil(() => sim.state(), (s) => s.clients === want, 10_000, `simulator reporting ${want} SSE clients`);
}

const ms = (v: number): string => `${v.toFixed(2)} ms`;

// npm run bench: every benchmark of docs/benchmarks.md, printed as tables.
//
//   npm run bench                      # full run (about 1-2 minutes)
//   npm run bench -- --quick           # fewer trials, N up to 100
//   npm run bench -- --write-docs      # also replace the results block of docs/benchmarks.md
//
// Results are also written to test-output/bench-results.json and
// test-output/bench-results.md. All traffic stays on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ROOT, SimChild, type MemoryUsage } from '../tests/support/load-sim.ts';
import { RawSseClient } from '../tests/support/raw-http.ts';
import { pollUntil } from '../tests/support/wait.ts';
import { CoreHost } from '../sim/core-host.ts';
import { analyzeCore, type CoreStatic } from './core-static.ts';
import { DEBOUNCE_MS, measureCoreInstructions, type CoreInstructionReport } from './core-instructions.ts';
import { measureLatency, type LatencyReport, type Stats } from './sse-latency.ts';
import { measureUpdates, type UpdateReport } from './core-update.ts';
import { measureMemoryPerClient, type MemoryReport, type Slope } from './sse-memory.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'write-docs': { type: 'boolean', default: false },
    'skip-soak': { type: 'boolean', default: false },
  },
});

const t0 = performance.now();
const elapsed = (): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const progress = (line: string): void => {
  process.stdout.write(`[bench ${elapsed()}] ${line}\n`);
};

// ------------------------------------------------------------- helpers --

const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
const msf = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function ulimitN(): string {
  const r = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  return r.stdout.trim() || 'unknown';
}

// ----------------------------------------------------------- sections --

function staticSection(cores: CoreStatic[]): string {
  const rows: Array<[string, (c: CoreStatic) => string]> = [
    ['file size', (c) => `${c.sizeBytes} bytes`],
    ['code section', (c) => `${c.sections.find((s) => s.name === 'code')?.bytes ?? 0} bytes`],
    ['data segments', (c) => `${c.dataBytes} bytes`],
    ['custom sections', (c) => `${c.sections.filter((s) => s.name.startsWith('custom')).reduce((n, s) => n + s.bytes, 0)} bytes`],
    ['linear memory declared', (c) => `${c.memoryInitialPages} page(s) initial, ${c.memoryMaxPages ?? 'no'} max (${c.memoryInitialPages * 64} KiB)`],
    ['`__heap_base` / `__data_end`', (c) => `${c.heapBase} / ${c.dataEnd} bytes`],
    ['linear memory WAMR 2.4.0 keeps on ESP-IDF', (c) => `${c.wamr.allocatedBytes} bytes allocated, ${c.wamr.boundsBytes} bounds-checked${c.wamr.shrunk ? '' : ' (not shrunk)'}; aux stack size ${c.wamr.auxStack?.size ?? 'n/a'}`],
    ['functions (reachable from exports)', (c) => `${c.functions} (${c.reachableFunctions})`],
    ['`memory.grow` / `memory.size` reachable', (c) => (c.growReachable.length + c.sizeReachable.length ? [...c.growReachable, ...c.sizeReachable].join(', ') : 'none')],
    ['`memory.grow` / `memory.size` anywhere', (c) => String(c.growOrSizeAnywhere)],
    ['allocator / runtime functions reachable', (c) => (c.allocatorReachable.length ? c.allocatorReachable.join(', ') : 'none')],
    ['imports', (c) => c.imports.join(', ')],
    ['`debug_trap` export', (c) => (c.hasDebugTrap ? 'yes' : 'no')],
  ];
  return table(['', ...cores.map((c) => `\`${c.file}\``)], rows.map(([name, f]) => [name, ...cores.map(f)]));
}

function instructionSection(r: CoreInstructionReport): string {
  return table(
    ['event (release core, host calls not counted)', 'export calls', 'Wasm instructions'],
    r.rows.map((row) => [row.event, String(row.exportCalls), String(row.instructions)]),
  );
}

interface IdleReport {
  seconds: number;
  keepaliveMs: number;
  exportCalls: number;
}

/** Export calls the simulator's core host makes while nothing happens. */
async function measureIdle(corePath: string, seconds: number, keepaliveMs: number): Promise<IdleReport> {
  const t0 = performance.now();
  const host = await CoreHost.load(corePath, {
    debounceMs: DEBOUNCE_MS,
    keepaliveMs,
    sink: { send: () => true, broadcast: () => {}, ids: () => [] },
    now: () => Math.floor(performance.now() - t0),
    log: () => {},
  });
  const before = host.exportCalls;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const calls = host.exportCalls - before;
  host.stop();
  return { seconds, keepaliveMs, exportCalls: calls };
}

function idleSection(rows: IdleReport[]): string {
  return table(
    ['idle simulator core host', 'wall time', 'export calls', 'per second'],
    rows.map((r) => [
      r.keepaliveMs ? `keepalive every ${r.keepaliveMs} ms` : 'keepalive off',
      `${r.seconds} s`,
      String(r.exportCalls),
      (r.exportCalls / r.seconds).toFixed(2),
    ]),
  );
}

function latencySection(r: LatencyReport): string {
  const cell = (s: Stats): string => `${msf(s.p50)} / ${msf(s.p99)} / ${msf(s.max)}`;
  return table(
    [
      'N clients',
      'trials',
      `sim: switch release → frame − ${r.debounceMs} ms window, from the switch edge`,
      `sim: the same, from the POST /sim/switch write`,
      'sim: PUT /icon → frame',
      'baseline: POST → frame',
      'ratio click/baseline p50, p99',
    ],
    r.latency.map((row) => [
      String(row.n),
      String(r.trials[row.n]),
      cell(row.releaseFromEdge),
      cell(row.releaseFromRequest),
      cell(row.click),
      cell(row.baseline),
      `${ratio(row.click.p50, row.baseline.p50)}, ${ratio(row.click.p99, row.baseline.p99)}`,
    ]),
  );
}

function updateSection(r: UpdateReport): string {
  return table(
    ['live update (docs/update.md)', 'measured'],
    [
      ['validator (`core_image_check`, native cc -O2)', `${r.checkUs.toFixed(2)} µs for a ${r.fileBytes} B signed core (${r.checkMbPerS} MB/s)`],
      ['SHA-256 + ECDSA P-256 verify (`core_sig`, Debian mbedTLS 2.28)', `${r.verifyUs.toFixed(0)} µs`],
      [`upload's last byte → 200 (validated, tried, swapped, serving), simulator, ${r.uploads} uploads`, `p50 ${msf(r.serveMs.p50)} ms, p99 ${msf(r.serveMs.p99)} ms, max ${msf(r.serveMs.max)} ms`],
      ['extra memory while a second instance exists (simulator, resident, mean of 200)', `${kib(r.secondInstanceBytes)} (V8 gives each the declared 64 KiB page; on the board see docs/update.md "Board")`],
    ],
  );
}

function memorySection(r: MemoryReport): string {
  const slope = (f: Slope): string => `**${kib(f.perClient)}** (R² ${f.r2.toFixed(3)})`;
  return [
    table(
      ['SSE clients', 'sim RSS', 'sim live heap', 'baseline RSS', 'baseline live heap'],
      [
        ...r.steps.map((st) => [String(st.n), mib(st.sim.rss), mib(st.sim.heapUsed), mib(st.baseline.rss), mib(st.baseline.heapUsed)]),
        ['per client (least-squares slope)', slope(r.simRss), slope(r.simHeap), slope(r.baselineRss), slope(r.baselineHeap)],
      ],
    ),
    '',
    'Each row read in both processes after GC, 500 ms, GC (`--expose-gc` plus an IPC hook preloaded into the child; `/sim/state` has no memory field).',
  ].join('\n');
}

interface SoakPoint {
  cycles: number;
  seconds: number;
  memory: MemoryUsage;
}

/** Long connect/abort soak: live heap after a full GC at every checkpoint. */
async function soak(total: number, every: number, warmup: number): Promise<SoakPoint[]> {
  const sim = await SimChild.start({ maxClients: 200 });
  const points: SoakPoint[] = [];
  const start = performance.now();
  try {
    let next = 0;
    let refused = 0;
    const cycle = async (i: number): Promise<void> => {
      const c = await RawSseClient.open(sim.port, { timeoutMs: 10_000 });
      if (c.head?.status !== 200) refused++;
      else if (i % 2 === 0) await c.waitFrames(1, 10_000);
      c.reset();
    };
    const checkpoint = async (): Promise<void> => {
      await pollUntil(() => sim.state(), (s) => s.clients === 0, 10_000, 'clients back to 0');
      points.push({ cycles: next, seconds: (performance.now() - start) / 1000, memory: await sim.memory() });
    };
    await checkpoint();
    while (next < total) {
      const upTo = Math.min(total, next < warmup ? warmup : next + every);
      await Promise.all(Array.from({ length: 50 }, async () => {
        while (next < upTo) await cycle(next++);
      }));
      await checkpoint();
      const p = points[points.length - 1]!;
      progress(`  soak: ${p.cycles} cycles, live heap ${mib(p.memory.heapUsed)}, rss ${mib(p.memory.rss)}`);
    }
    if (refused) throw new Error(`${refused} streams refused during the soak`);
    return points;
  } finally {
    await sim.stop();
  }
}

function soakSection(points: SoakPoint[]): string {
  const warm = points[1];
  const last = points[points.length - 1]!;
  const growth = warm && last !== warm
    ? `\n\nLive heap after the ${warm.cycles}-cycle warm-up to the end: ${((last.memory.heapUsed - warm.memory.heapUsed) / 1024).toFixed(0)} KiB over ${last.cycles - warm.cycles} cycles (${((last.memory.heapUsed - warm.memory.heapUsed) / (last.cycles - warm.cycles)).toFixed(1)} bytes per cycle).`
    : '';
  return table(
    ['connect/abort cycles', 'elapsed', 'sim live heap (after GC)', 'sim RSS', 'sim RSS − V8 heap'],
    points.map((p) => [String(p.cycles), `${p.seconds.toFixed(1)} s`, mib(p.memory.heapUsed), mib(p.memory.rss), mib(p.memory.rss - p.memory.heapTotal)]),
  ) + growth;
}

// ---------------------------------------------------------------- main --

async function main(): Promise<void> {
  const release = join(ROOT, 'dist', 'core.wasm');
  const debug = join(ROOT, 'dist', 'core.debug.wasm');
  if (!existsSync(release) || !existsSync(debug)) {
    progress('dist/core.wasm missing: running npm run asbuild');
    const r = spawnSync('npm', ['run', 'asbuild'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run asbuild failed');
  }
  const env = `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${mib(totalmem())} RAM, ulimit -n ${ulimitN()}`;
  progress(env);

  progress('[1/5] core.wasm: size, memory, reachability (binaryen)');
  const cores = [analyzeCore(readFileSync(release), 'dist/core.wasm'), analyzeCore(readFileSync(debug), 'dist/core.debug.wasm')];
  const rel = cores[0]!;
  if (rel.growReachable.length || rel.sizeReachable.length || rel.allocatorReachable.length || rel.hasDebugTrap) {
    progress('  WARNING: the release core can grow memory, allocate, or exports debug_trap');
  }

  progress('[2/5] core cost per event in executed Wasm instructions (instrumented copies), export calls while idle');
  const instr = measureCoreInstructions(release, progress);
  for (const v of instr.validation) progress(`  ok: ${v}`);
  const idleSeconds = args.quick ? 2 : 5;
  const idle = [await measureIdle(release, idleSeconds, 0), await measureIdle(release, idleSeconds, 1000)];
  for (const r of idle) progress(`  idle ${r.seconds} s, keepalive ${r.keepaliveMs || 'off'}: ${r.exportCalls} export calls`);

  progress('[2b/5] live update: validator throughput, upload → serving, second instance');
  const updates = await measureUpdates(args.quick ? 20 : 100, progress);
  progress(`  upload → serving: p50 ${msf(updates.serveMs.p50)} ms, p99 ${msf(updates.serveMs.p99)} ms`);

  const ns = args.quick ? [1, 10, 100] : [1, 10, 100, 1000];
  // p99 over N x trials samples is set by the worst 1% of trials: 100 trials
  // at N <= 100 so one slow trial is not the whole answer.
  const trials = (n: number): number => (args.quick ? 10 : n >= 1000 ? 20 : 100);
  progress(`[3/5] simulator vs baseline SSE server, N = ${ns.join(', ')}`);
  const latency = await measureLatency({ ns, trials, debounceMs: DEBOUNCE_MS, log: progress });

  const maxN = 1000; // cheap (no trials), and below ~1000 clients the slope is mostly noise
  progress(`[4/5] memory per SSE client, 0..${maxN} clients in 5 steps, simulator vs baseline (fresh processes)`);
  const memory = await measureMemoryPerClient(maxN, 5, progress);

  let soakPoints: SoakPoint[] | null = null;
  if (!args['skip-soak']) {
    const total = args.quick ? 10_000 : 40_000;
    progress(`[5/5] soak: ${total} SSE connect/abort cycles, 50 at a time`);
    soakPoints = await soak(total, 10_000, 2_000);
  }

  const date = new Date().toISOString().slice(0, 10);
  const found = (prefix: string) => instr.rows.find((x) => x.event.startsWith(prefix));
  const row = (prefix: string): string => {
    const r = found(prefix);
    return r ? `${r.exportCalls} export calls / ${r.instructions} instructions` : '?';
  };
  const ratios = latency.latency.map((x) => x.click.p50 / x.baseline.p50);
  const release100 = latency.latency.find((x) => x.n === 100);
  const clean = !rel.growReachable.length && !rel.sizeReachable.length && !rel.allocatorReachable.length && !rel.hasDebugTrap;
  const summary = [
    `- Release core: ${rel.sizeBytes} bytes; WAMR 2.4.0 on ESP-IDF keeps ${rel.wamr.allocatedBytes} bytes of linear memory (bounds ${rel.wamr.boundsBytes}) instead of ${rel.memoryInitialPages * 64} KiB; ` +
      (clean ? 'no `memory.grow`/`memory.size`, no allocator reachable, no `debug_trap`.' : '**`memory.grow`/`memory.size`, an allocator or `debug_trap` is present (see the table).**'),
    `- Core cost (event-driven, ABI 2): idle ${idle[0]!.exportCalls} export calls in ${idle[0]!.seconds} s (keepalive off; with a keepalive, one poll per period: ${row('keepalive')}); ` +
      `a press and release ${row('press + release, no bounce')}, with a 5-edge bounce on each side coalesced like the board ${row('press + release, 5-edge bounce each, coalesced')}; ` +
      `a click ${row('click')}; a client open ${row('client open')}.`,
    `- PUT /icon → frame at every client: the simulator / baseline p50 ratio is ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}× for N = ${latency.latency.map((x) => x.n).join(', ')}. ` +
      `Switch release → frame at every client${release100 ? `, N = 100: window + ${msf(release100.releaseFromEdge.p50)} ms p50, window + ${msf(release100.releaseFromEdge.p99)} ms p99 from the switch edge (target: p99 ≤ window + 2 ms)` : ''}; the core is woken at its deadline, so nothing is added for sampling.`,
    `- Memory per SSE client: simulator ${kib(memory.simRss.perClient)} RSS / ${kib(memory.simHeap.perClient)} live heap, baseline ${kib(memory.baselineRss.perClient)} / ${kib(memory.baselineHeap.perClient)}.`,
  ];
  const md = [
    `Measured ${date} with \`npm run bench${args.quick ? ' -- --quick' : ''}\` on ${env}; run took ${elapsed()}.`,
    '',
    ...summary,
    '',
    '### core.wasm',
    '',
    staticSection(cores),
    '',
    '### Core cost per event',
    '',
    instructionSection(instr),
    '',
    idleSection(idle),
    '',
    ...instr.validation.map((v) => `- ${v}`),
    '',
    '### Live update of the core',
    '',
    updateSection(updates),
    '',
    '### End to end: simulator vs a minimal Node SSE server',
    '',
    'Latency in ms as p50 / p99 / max over every (client, trial) sample.',
    '',
    latencySection(latency),
    '',
    ...latency.notes.map((n) => `- ${n}`),
    ...(latency.notes.length ? [''] : []),
    '### Memory per connected SSE client',
    '',
    memorySection(memory),
    '',
    ...(soakPoints ? ['### Connect/abort soak', '', soakSection(soakPoints), ''] : []),
  ].join('\n');

  process.stdout.write(`\n${md}\n`);
  const out = join(ROOT, 'test-output');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'bench-results.md'), md);
  writeFileSync(join(out, 'bench-results.json'), JSON.stringify({ date, env, cores, instructions: instr, idle, updates, latency, memory, soak: soakPoints }, null, 2));
  progress('wrote test-output/bench-results.md and test-output/bench-results.json');

  if (args['write-docs']) {
    const docs = join(ROOT, 'docs', 'benchmarks.md');
    const text = readFileSync(docs, 'utf8');
    const start = '<!-- bench:results:start -->';
    const end = '<!-- bench:results:end -->';
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < i) throw new Error(`${docs} has no ${start} ... ${end} block`);
    writeFileSync(docs, `${text.slice(0, i + start.length)}\n${md}\n${text.slice(j)}`);
    progress('updated the results block of docs/benchmarks.md');
  }
  progress(`done in ${elapsed()}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});

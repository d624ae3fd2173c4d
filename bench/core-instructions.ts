// Core cost per event in executed Wasm instructions: a deterministic proxy for
// WAMR's interpreter on the ESP32 (no timer noise, no JIT).
//
// dist/core.wasm itself is never changed: two instrumented COPIES are made
// with binaryen (bench/wasm-instrument.ts, "regions" and "per-node" counter
// placement). The same scripted session is run on the original and on both
// copies; every export result, every led_set value and every SSE frame must be
// identical across the three, and both copies must report identical counts,
// otherwise this throws. The static instruction count of every function is
// also compared with wasm-objdump's disassembly when wabt is installed.
//
//   node --import tsx bench/core-instructions.ts [path/to/core.wasm]
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { EVENT_CLIENT_CLOSE, EVENT_CLIENT_OPEN, EVENT_REFRESH, EVENT_SWITCH, type CoreExports } from "../sim/abi.ts";
import { COUNTER_GET, COUNTER_RESET, instrumentCounting, staticCounts, type Placement } from "./wasm-instrument.ts";

export const DEBOUNCE_MS = 30;

/** One scripted step: what it did (host calls, results) and, when counted, its cost. */
interface StepRecord {
  label: string;
  results: number[];
  calls: string[];
  instructions: number | null;
  /** Export calls the step made (what a host pays WAMR's fixed cost for). */
  exportCalls: number;
}

type Step = { label: string; row?: string; run: (c: CoreExports, rec: number[]) => void };

function instantiate(bytes: Uint8Array, calls: string[]): { api: CoreExports; count: (() => number) | null; reset: (() => void) | null; exportCalls: () => number } {
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  let memory: WebAssembly.Memory | undefined;
  const frame = (ptr: number, len: number): string => {
    const buf = memory!.buffer;
    if (ptr < 0 || len < 0 || ptr + len > buf.byteLength) throw new Error(`frame (${ptr}, ${len}) out of memory`);
    return JSON.stringify(new TextDecoder().decode(new Uint8Array(buf, ptr, len)));
  };
  const host: Record<string, (...a: number[]) => number | void> = {
    led_set: (on, id) => { calls.push(`led_set(${on}, ${id})`); },
    sse_send: (client, ptr, len) => { calls.push(`sse_send(${client}, ${frame(ptr!, len!)})`); return 0; },
    sse_broadcast: (ptr, len) => { calls.push(`sse_broadcast(${frame(ptr!, len!)})`); },
  };
  const imports: WebAssembly.Imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== "function") throw new Error(`unexpected ${imp.kind} import ${imp.module}.${imp.name}`);
    const fn = imp.module === "host" ? host[imp.name] : undefined;
    (imports[imp.module] ??= {})[imp.name] = fn ?? ((...a: number[]) => {
      throw new Error(`core called unexpected import ${imp.module}.${imp.name}(${a.join(", ")})`);
    });
  }
  const ex = new WebAssembly.Instance(module, imports).exports as unknown as CoreExports & Record<string, () => number>;
  memory = ex.memory;
  const get = ex[COUNTER_GET];
  const reset = ex[COUNTER_RESET];
  // The ABI's exports, each call counted (the counter's own exports are not).
  let n = 0;
  const api: Record<string, unknown> = { memory: ex.memory };
  for (const [name, value] of Object.entries(ex)) {
    if (typeof value !== "function" || name === COUNTER_GET || name === COUNTER_RESET) continue;
    api[name] = (...a: number[]): number => { n++; return (value as (...x: number[]) => number)(...a); };
  }
  // Hosts read the body buffer once per instance (docs/abi.md): not per click.
  const bodyPtr = ex.body_ptr();
  const bodyCapacity = ex.body_capacity();
  api.body_ptr = () => bodyPtr;
  api.body_capacity = () => bodyCapacity;
  return { api: api as unknown as CoreExports, count: get ? () => get() : null, reset: reset ? () => void reset() : null, exportCalls: () => n };
}

/** Writes `body` into the core's body buffer and calls icon_put with its length. */
function iconPut(c: CoreExports, body: string, rec: number[]): void {
  const bytes = new TextEncoder().encode(body);
  const cap = c.body_capacity();
  new Uint8Array(c.memory.buffer, c.body_ptr(), Math.min(bytes.length, cap)).set(bytes.subarray(0, cap));
  rec.push(c.icon_put(bytes.length));
}

/**
 * The scripted session, as the event-driven hosts call the core (docs/abi.md,
 * ABI 2): an edge is post_event(EVENT_SWITCH, level, t) + poll(t), and then
 * the host sleeps until the deadline poll() returned; clicks are icon_put +
 * poll, clients post_event + poll (the host reads body_ptr/body_capacity
 * once per instance, not per click). `row` names the table row a step's cost
 * goes to (steps sharing a row are added up). The script asserts the
 * deadlines it is given, so a core that asked for other wake-ups fails it.
 */
function script(): Step[] {
  const D = DEBOUNCE_MS;
  const steps: Step[] = [];
  const add = (label: string, run: Step["run"], row?: string): void => {
    steps.push(row === undefined ? { label, run } : { label, row, run });
  };
  const expectDelay = (got: number, want: number, what: string): number => {
    if (got !== want) throw new Error(`${what}: poll returned ${got}, expected ${want}`);
    return got;
  };
  /** An edge at `at`, then the poll; the core must ask to be woken `wake` ms later. */
  const edge = (level: number, at: number, wake: number, label: string, row?: string): void => {
    add(label, (c, r) => { r.push(c.post_event(EVENT_SWITCH, level, at), expectDelay(c.poll(at), wake, label)); }, row);
  };
  const deadline = (at: number, label: string, row?: string): void => {
    add(label, (c, r) => { r.push(expectDelay(c.poll(at), -1, label)); }, row);
  };
  add("init(led off, id 1, debounce 30, keepalive off)", (c, r) => { r.push(c.init(0, 1, D, 0, 0)); }, "init");
  add("client 0 opens", (c, r) => { r.push(c.post_event(EVENT_CLIENT_OPEN, 0, 1), c.poll(1)); }, "client open: post_event + poll (first frame with retry: to that client)");
  add("client 1 opens", (c, r) => { r.push(c.post_event(EVENT_CLIENT_OPEN, 1, 2), c.poll(2)); });
  add("idle: nothing pending", (c, r) => { r.push(expectDelay(c.poll(3), -1, "idle poll")); }, "poll with nothing pending (returns -1: the host sleeps)");
  // A clean press and release: 2 edges, 2 deadlines.
  const clean = "press + release, no bounce: 2 edges (post_event + poll each) + 2 deadline polls";
  edge(0, 100, D, "press edge", clean);
  deadline(100 + D, "press deadline: accepted", clean);
  edge(1, 300, D, "release edge", clean);
  deadline(300 + D, "release deadline: toggle + broadcast", clean);
  // A bouncing press and release: 5 edges each, every edge posted.
  const bouncy = "press + release, 5-edge bounce each, every edge posted";
  for (const [base, first] of [[500, 0], [700, 1]] as const) {
    // Odd edges leave the accepted level (a deadline), even ones return to it (none).
    for (let k = 0; k < 5; k++) edge(k % 2 === 0 ? first : 1 - first, base + 2 * k, k % 2 === 0 ? D : -1, `bounce edge ${k + 1} at ${base + 2 * k}`, bouncy);
    deadline(base + 8 + D, first === 0 ? "press accepted after the bounce" : "release accepted: toggle + broadcast", bouncy);
  }
  // The same bounce as the board's interrupt bridge posts it: first,
  // second-to-last and last edge of the burst, one poll.
  const burst = "press + release, 5-edge bounce each, coalesced to 3 edges + 1 poll per burst (the board)";
  for (const [base, first] of [[900, 0], [1100, 1]] as const) {
    add(`burst of 5 edges at ${base}`, (c, r) => {
      r.push(c.post_event(EVENT_SWITCH, first, base), c.post_event(EVENT_SWITCH, 1 - first, base + 6), c.post_event(EVENT_SWITCH, first, base + 8));
      r.push(expectDelay(c.poll(base + 8), D, "burst"));
    }, burst);
    deadline(base + 8 + D, first === 0 ? "press accepted" : "release accepted: toggle + broadcast", burst);
  }
  add("click: icon_put(\"led\")", (c, r) => { iconPut(c, "led", r); }, "click: icon_put(\"led\") + poll (toggle + broadcast frame)");
  add("poll applying the click", (c, r) => { r.push(c.poll(1300)); }, "click: icon_put(\"led\") + poll (toggle + broadcast frame)");
  add("icon_put(\" xyz \") rejected", (c, r) => { iconPut(c, " xyz ", r); }, "icon_put rejected (unknown icon)");
  add("refresh all", (c, r) => { r.push(c.post_event(EVENT_REFRESH, -1, 1310), c.poll(1310)); }, "refresh all: post_event + poll (one broadcast)");
  add("client 1 closes", (c, r) => { r.push(c.post_event(EVENT_CLIENT_CLOSE, 1, 1320), c.poll(1320)); }, "client close: post_event + poll");
  add("fill the queue", (c, r) => { for (let i = 0; i < 64; i++) r.push(c.post_event(EVENT_SWITCH, 1, 1330)); });
  add("post to a full queue", (c, r) => { r.push(c.post_event(EVENT_SWITCH, 1, 1330), c.dropped_events()); }, "post_event to a full queue (dropped)");
  add("drain 64 events", (c, r) => { r.push(c.poll(1330)); }, "poll draining 64 switch events (per event)");
  add("init with keepalive 1000", (c, r) => { r.push(c.init(1, 50, D, 1000, 2000), expectDelay(c.poll(2000), 1000, "keepalive deadline")); });
  add("keepalive poll", (c, r) => { r.push(expectDelay(c.poll(3000), 1000, "next keepalive")); }, "keepalive: one poll per period (broadcast, returns the next period)");
  add("final state", (c, r) => { r.push(c.led_state(), c.event_id(), c.dropped_events(), c.queue_length()); });
  return steps;
}

function runScript(bytes: Uint8Array): StepRecord[] {
  const calls: string[] = [];
  const { api, count, reset, exportCalls } = instantiate(bytes, calls);
  return script().map((step) => {
    calls.length = 0;
    const results: number[] = [];
    reset?.();
    const before = exportCalls();
    step.run(api, results);
    return { label: step.label, results, calls: [...calls], instructions: count ? count() : null, exportCalls: exportCalls() - before };
  });
}

export interface InstructionRow {
  event: string;
  instructions: number;
  exportCalls: number;
}

export interface CoreInstructionReport {
  rows: InstructionRow[];
  /** Per step, for the docs: label, host calls. */
  trace: Array<{ label: string; calls: string[]; instructions: number }>;
  validation: string[];
}

/** wasm-objdump's count of instructions (without end/else) per function index, or null without wabt. */
function objdumpCounts(path: string): number[] | null {
  const r = spawnSync("wasm-objdump", ["-d", path], { encoding: "utf8" });
  if (r.status !== 0 || typeof r.stdout !== "string") return null;
  const counts: number[] = [];
  for (const line of r.stdout.split("\n")) {
    if (/^[0-9a-f]+ func\[\d+\]/.test(line)) counts.push(0);
    else if (/^ [0-9a-f]+: /.test(line) && counts.length > 0) {
      const text = line.split("|")[1]?.trim() ?? "";
      if (text === "end" || text === "else" || text.startsWith("local[")) continue;
      counts[counts.length - 1]!++;
    }
  }
  return counts;
}

export function measureCoreInstructions(path: string, log: (line: string) => void = () => {}): CoreInstructionReport {
  const original = new Uint8Array(readFileSync(path));
  const validation: string[] = [];

  // 1. Static: the counting rule against an independent disassembler.
  const statics = [...staticCounts(original).values()];
  const dumped = objdumpCounts(path);
  if (dumped) {
    if (!isDeepStrictEqual(statics, dumped)) {
      throw new Error(`static instruction counts differ from wasm-objdump:\n binaryen ${statics.join(",")}\n objdump  ${dumped.join(",")}`);
    }
    validation.push(`static counts of all ${statics.length} functions (${statics.reduce((a, b) => a + b, 0)} instructions) equal wasm-objdump's`);
  } else {
    validation.push("wasm-objdump not installed: static cross-check skipped");
  }

  // 2. Dynamic: original vs both instrumented copies.
  const reference = runScript(original);
  const runs = new Map<Placement, StepRecord[]>();
  for (const placement of ["regions", "per-node"] as const) {
    const copy = instrumentCounting(original, placement);
    log(`  instrumented copy (${placement}): ${copy.byteLength} bytes (original ${original.byteLength})`);
    const run = runScript(copy);
    run.forEach((s, i) => {
      const ref = reference[i]!;
      if (!isDeepStrictEqual(s.results, ref.results) || !isDeepStrictEqual(s.calls, ref.calls)) {
        throw new Error(`instrumented copy (${placement}) differs from the original at "${s.label}":\n` +
          ` original ${JSON.stringify(ref)}\n copy     ${JSON.stringify(s)}`);
      }
    });
    runs.set(placement, run);
  }
  const regions = runs.get("regions")!;
  const perNode = runs.get("per-node")!;
  regions.forEach((s, i) => {
    if (s.instructions !== perNode[i]!.instructions) {
      throw new Error(`counter placements disagree at "${s.label}": regions ${s.instructions}, per-node ${perNode[i]!.instructions}`);
    }
  });
  const frames = reference.reduce((n, s) => n + s.calls.filter((c) => c.startsWith("sse_")).length, 0);
  validation.push(`${reference.length} scripted steps: results, led_set values and ${frames} SSE frames identical in the original and both instrumented copies; both counter placements agree on every step`);

  // 3. Sanity of what was measured: the frames the ABI promises.
  const steps = script();
  const rows = new Map<string, { instructions: number; exportCalls: number }>();
  const order: string[] = [];
  steps.forEach((step, i) => {
    if (!step.row) return;
    if (!rows.has(step.row)) order.push(step.row);
    const row = rows.get(step.row) ?? { instructions: 0, exportCalls: 0 };
    row.instructions += regions[i]!.instructions!;
    row.exportCalls += reference[i]!.exportCalls;
    rows.set(step.row, row);
  });
  const perEvent = "poll draining 64 switch events (per event)";
  const drained = rows.get(perEvent);
  if (drained) drained.instructions = Math.round(drained.instructions / 64);
  for (const label of ["release deadline: toggle + broadcast", "release accepted: toggle + broadcast"]) {
    const toggled = reference.find((s) => s.label === label);
    if (!toggled?.calls.some((c) => c.startsWith("sse_broadcast(") && c.includes("led"))) {
      throw new Error(`the measured release did not toggle/broadcast: ${JSON.stringify(toggled)}`);
    }
  }
  return {
    rows: order.map((event) => ({ event, ...rows.get(event)! })),
    trace: regions.map((s, i) => ({ label: s.label, calls: reference[i]!.calls, instructions: s.instructions! })),
    validation,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.argv[2] ?? "dist/core.wasm";
  const report = measureCoreInstructions(path, console.log);
  for (const v of report.validation) console.log(`ok: ${v}`);
  console.table(report.rows);
  if (process.argv.includes("--trace")) for (const t of report.trace) console.log(t.instructions, t.label, t.calls.join(" "));
}

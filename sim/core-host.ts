/**
 * Runs dist/core.wasm (the same module the ESP32 runs under WAMR) and
 * implements its imports exactly as docs/abi.md says. No board behaviour lives
 * here: debounce, queue, LED state and SSE frames all come from the core; this
 * file moves bytes, wakes the core at the deadlines it asks for, and recovers
 * from faults.
 */
import { readFile } from 'node:fs/promises';
import { ABI_VERSION, EVENT_CLIENT_OPEN, EVENT_REFRESH, EVENT_SWITCH, REQUIRED_FUNCTIONS, type CoreExports } from './abi.ts';

/** Where the core's frames go: the SSE client registry. */
export interface FrameSink {
  /** Writes to one client; false if unknown or dropped (the sink already dropped it). */
  send(client: number, frame: Uint8Array): boolean;
  /** Writes to every client; failing ones are dropped by the sink. */
  broadcast(frame: Uint8Array): void;
  /** Ids of the registered clients. */
  ids(): number[];
}

export interface CoreHostOptions {
  debounceMs: number;
  keepaliveMs: number;
  sink: FrameSink;
  /** Milliseconds since the host started, fractions allowed: the core gets
   * whole milliseconds (wrapped to u32), the deadline timer the fraction. */
  now(): number;
  log(line: string): void;
  /** Called when the LED changed, once the core call that changed it has
   * returned (its frames are out by then; a terminal line must not delay them). */
  onLed?(on: boolean): void;
  /** Called after every fault, once the core was restarted (the update watch counts them). */
  onFault?(what: string): void;
}

/** Checks one frame a core under trial hands over: null when it is fine, else why not. */
export type FrameCheck = (frame: Uint8Array, led: number, id: number) => string | null;

/** The client id a trial's self-test opens (never a real client: those count up from 0). */
const TRIAL_CLIENT = 0x7fffffff;

/** A `(ptr, len)` out of range or another broken promise of the core. */
export class CoreFault extends Error {
  override name = 'CoreFault';
}

/** docs/abi.md led_set(on, id): on is 0/1 and id >= 0, or the core is at fault. */
function checkLedSet(on: number, id: number): void {
  if ((on !== 0 && on !== 1) || id < 0) throw new CoreFault(`led_set(${on}, ${id}): on must be 0/1, id >= 0`);
}

/** A trap or a CoreFault: the instance is discarded and started again. */
export function isFault(e: unknown): e is Error {
  return e instanceof WebAssembly.RuntimeError || e instanceof CoreFault;
}

/** Core state as the simulator reports it. */
export interface CoreState {
  led: boolean;
  id: number;
  dropped: number;
  queued: number;
}

const MAX_RESTART_ATTEMPTS = 3;

/** How long before a deadline the timer hands over to the in-place wait (pollAt). */
const SPIN_MS = 2;

export class CoreHost {
  /** The module that runs (replaced by swap). */
  module: WebAssembly.Module;
  readonly debug: boolean;
  /** Fault restarts since the host started. */
  restarts = 0;
  /** Export calls made so far (what the benchmarks count). */
  exportCalls = 0;
  private ex!: CoreExports;
  /** body_ptr()/body_capacity() of the current instance, checked once. */
  private body = { ptr: 0, capacity: 0 };
  private readonly opts: CoreHostOptions;
  /** The last `led_set(on, id)`: what a restarted core is given. */
  private lastLed = 0;
  /** The LED level `onLed` last reported. */
  private shownLed = 0;
  private lastId = 0;
  /** Export calls in progress (imports run inside them). */
  private depth = 0;
  /** Events to post once the current export call has returned. */
  private deferred: Array<[kind: number, arg: number]> = [];
  /** The wake-up at the deadline the last poll returned (a timer, or an
   * immediate for the last millisecond). */
  private deadline: { timer?: ReturnType<typeof setTimeout>; immediate?: ReturnType<typeof setImmediate> } = {};
  private stopped = false;

  static async load(path: string, opts: CoreHostOptions): Promise<CoreHost> {
    const module = await WebAssembly.compile(await readFile(path));
    return new CoreHost(module, opts);
  }

  constructor(module: WebAssembly.Module, opts: CoreHostOptions) {
    this.module = module;
    this.opts = opts;
    this.debug = WebAssembly.Module.exports(module).some((e) => e.name === 'debug_trap' && e.kind === 'function');
    this.instantiate();
    const r = this.ex.init(0, 0, opts.debounceMs, opts.keepaliveMs, this.now());
    if (r !== 0) {
      throw new Error(`core init rejected debounce_ms=${opts.debounceMs} keepalive_ms=${opts.keepaliveMs} (returned ${r})`);
    }
    this.poll(); // arms the first keepalive deadline
  }

  private now(): number {
    return Math.floor(this.opts.now()) >>> 0;
  }

  /** Copies `(ptr, len)` out of linear memory after checking it lies inside. */
  private bytes(ptr: number, len: number, what: string): Uint8Array {
    const buf = this.ex.memory.buffer;
    const p = ptr >>> 0;
    const n = len >>> 0;
    if (p + n > buf.byteLength) {
      throw new CoreFault(`${what}: (ptr ${p}, len ${n}) outside memory of ${buf.byteLength} bytes`);
    }
    return new Uint8Array(buf.slice(p, p + n));
  }

  /** The host functions of docs/abi.md "Imports" for one instance. */
  private imports(): WebAssembly.Imports {
    return {
      host: {
        led_set: (on: number, id: number): void => {
          checkLedSet(on, id);
          this.lastLed = on;
          this.lastId = id;
        },
        sse_send: (client: number, ptr: number, len: number): number => {
          const frame = this.bytes(ptr, len, 'sse_send');
          return this.opts.sink.send(client, frame) ? 0 : -1;
        },
        sse_broadcast: (ptr: number, len: number): void => {
          this.opts.sink.broadcast(this.bytes(ptr, len, 'sse_broadcast'));
        },
      },
    };
  }

  private instantiate(): void {
    const { raw, body } = CoreHost.checkedInstance(this.module, this.imports());
    this.body = body;
    this.ex = this.counted(raw);
  }

  /** An instance whose exports, ABI version and body buffer are what docs/abi.md promises. */
  private static checkedInstance(module: WebAssembly.Module, imports: WebAssembly.Imports): { raw: CoreExports; body: { ptr: number; capacity: number } } {
    const instance = new WebAssembly.Instance(module, imports);
    const raw = instance.exports as unknown as CoreExports;
    if (!(raw.memory instanceof WebAssembly.Memory)) throw new Error('core exports no memory');
    for (const name of REQUIRED_FUNCTIONS) {
      if (typeof raw[name] !== 'function') throw new Error(`core does not export ${name}(): not a core of docs/abi.md`);
    }
    const version = raw.abi_version();
    if (version !== ABI_VERSION) {
      throw new Error(`core implements ABI ${version}, this simulator ABI ${ABI_VERSION}: rebuild it with npm run asbuild`);
    }
    const ptr = raw.body_ptr() >>> 0;
    const capacity = raw.body_capacity() >>> 0;
    if (ptr + capacity > raw.memory.buffer.byteLength) {
      throw new CoreFault(`body buffer (ptr ${ptr}, capacity ${capacity}) outside memory of ${raw.memory.buffer.byteLength} bytes`);
    }
    return { raw, body: { ptr, capacity } };
  }

  /**
   * docs/update.md "Trial": runs `module` beside the running core with the
   * current state and a short self-test (a client opens, every client is
   * refreshed, two polls); its frames go to `check`, not to any client.
   * Returns null when it passed, else the reason. Nothing of the running
   * core changes.
   */
  trial(module: WebAssembly.Module, check: FrameCheck): string | null {
    let led = -1;
    let id = -1;
    let memory: WebAssembly.Memory | undefined;
    let frames = 0;
    let bad: string | null = null;
    const frame = (ptr: number, len: number): void => {
      const buf = memory?.buffer;
      const p = ptr >>> 0;
      const n = len >>> 0;
      if (!buf || p + n > buf.byteLength) throw new CoreFault(`frame (ptr ${p}, len ${n}) outside memory`);
      frames++;
      bad ??= check(new Uint8Array(buf.slice(p, p + n)), led, id);
    };
    const imports = {
      host: {
        led_set: (on: number, i: number): void => {
          checkLedSet(on, i);
          led = on;
          id = i;
        },
        sse_send: (_client: number, ptr: number, len: number): number => (frame(ptr, len), 0),
        sse_broadcast: (ptr: number, len: number): void => frame(ptr, len),
      },
    };
    try {
      const { raw } = CoreHost.checkedInstance(module, imports);
      memory = raw.memory;
      const now = this.now();
      const firstId = this.nextFirstId();
      if (raw.init(this.lastLed, firstId, this.opts.debounceMs, this.opts.keepaliveMs, now) !== 0) {
        return 'init refused the current settings';
      }
      if (led !== this.lastLed || id !== firstId) return `init reported led_set(${led}, ${id}), expected (${this.lastLed}, ${firstId})`;
      raw.post_event(EVENT_CLIENT_OPEN, TRIAL_CLIENT, now);
      raw.post_event(EVENT_REFRESH, -1, now);
      raw.poll(now);
      raw.poll(now);
      if (bad) return `wrote ${bad}`;
      if (frames < 2) return `wrote ${frames} frame(s) for a client open and a refresh, expected 2`;
      return null;
    } catch (e) {
      return isFault(e) ? `trapped: ${(e as Error).message}` : `did not start: ${(e as Error).message}`;
    }
  }

  /**
   * docs/update.md "Swap": `module` replaces the running core between two
   * calls, gets the current state (init(led, id + 1)) and every client a
   * resync frame. Throws (with the old core still running) if it faults.
   */
  swap(module: WebAssembly.Module): void {
    if (this.depth > 0) throw new Error('swap from inside a core call');
    const old = { module: this.module, ex: this.ex, body: this.body };
    this.module = module;
    try {
      this.startFromState();
    } catch (e) {
      Object.assign(this, old);
      throw e;
    }
    this.run('resync after swap', (ex) => this.resync(ex));
  }

  /** The first id of a new instance: past the last one; first_id must be
   * >= 0, so after 2^31 - 1 the ids start again at 0. */
  private nextFirstId(): number {
    return (this.lastId + 1) & 0x7fffffff;
  }

  /** A new instance of this.module given the current state: init(last LED,
   * next id). Throws if init refuses. */
  private startFromState(): void {
    this.instantiate();
    const r = this.ex.init(this.lastLed, this.nextFirstId(), this.opts.debounceMs, this.opts.keepaliveMs, this.now());
    if (r !== 0) throw new Error(`init returned ${r}`);
  }

  /** Every client gets a resync frame (a client open), then the deadline is armed. */
  private resync(ex: CoreExports): void {
    for (const id of this.opts.sink.ids()) this.postOrDrain(ex, EVENT_CLIENT_OPEN, id);
    this.pollAndArm(ex);
  }

  /** The exports with every function call counted in exportCalls. */
  private counted(raw: CoreExports): CoreExports {
    const wrapped: Record<string, unknown> = { memory: raw.memory };
    for (const [name, value] of Object.entries(raw)) {
      if (typeof value !== 'function') continue;
      const fn = value as (...args: number[]) => unknown;
      wrapped[name] = (...args: number[]): unknown => {
        this.exportCalls++;
        return fn(...args);
      };
    }
    return wrapped as unknown as CoreExports;
  }

  /**
   * Calls into the core. A fault (trap or bad pointer) is logged, the core is
   * restarted, and `undefined` is returned: the event being processed is lost.
   */
  private run<T>(what: string, fn: (ex: CoreExports) => T): T | undefined {
    if (this.depth > 0) throw new Error(`re-entrant core call: ${what}`);
    this.depth++;
    let result: T | undefined;
    try {
      result = fn(this.ex);
    } catch (e) {
      if (!isFault(e)) throw e;
      this.restart(what, e);
      result = undefined;
    } finally {
      this.depth--;
    }
    this.flushDeferred();
    this.showLed();
    return result;
  }

  private showLed(): void {
    if (this.depth > 0 || this.lastLed === this.shownLed) return;
    this.shownLed = this.lastLed;
    this.opts.onLed?.(this.lastLed === 1);
  }

  /** poll(now) and a wake-up at the deadline it returns. */
  private pollAndArm(ex: CoreExports): number {
    const now = this.now();
    const delay = ex.poll(now);
    this.cancelWake();
    if (delay >= 0 && !this.stopped) this.wakeAt(now + delay);
    return delay;
  }

  /**
   * Polls once the clock reaches `at` (whole ms of the core's clock), not
   * before and not late. A Node timer counts whole milliseconds from its
   * loop's cached time: it may fire up to 1 ms early, and on a busy or
   * virtual machine 1-2 ms late. So the timer aims SPIN_MS early and the
   * rest is waited out in place (pollAt).
   */
  private wakeAt(at: number): void {
    this.deadline = {};
    if (this.stopped) return;
    const left = at - this.opts.now();
    if (left > SPIN_MS) {
      this.deadline.timer = setTimeout(() => this.wakeAt(at), Math.floor(left - SPIN_MS));
      this.deadline.timer.unref();
    } else {
      // Never polls from inside the export call that armed the deadline.
      this.deadline.immediate = setImmediate(() => this.pollAt(at));
    }
  }

  /**
   * Busy-waits (at most SPIN_MS) for `at`, then polls. The loop allocates
   * nothing: a setImmediate loop would, and the minor GC it set off landed
   * on the deadline itself (measured: +0.4-0.8 ms in the slowest trials).
   * The event loop is held for those < SPIN_MS, once per deadline.
   */
  private pollAt(at: number): void {
    this.deadline = {};
    const giveUp = performance.now() + SPIN_MS;
    while (this.opts.now() < at && performance.now() < giveUp) {
      // waiting for the deadline
    }
    if (this.opts.now() < at) {
      // A clock that did not move (a test's): come back later.
      this.deadline.timer = setTimeout(() => this.wakeAt(at), 1);
      this.deadline.timer.unref();
      return;
    }
    if (!this.stopped) this.poll();
  }

  private cancelWake(): void {
    clearTimeout(this.deadline.timer);
    clearImmediate(this.deadline.immediate);
    this.deadline = {};
  }

  private flushDeferred(): void {
    while (this.deferred.length > 0 && this.depth === 0) {
      const batch = this.deferred;
      this.deferred = [];
      this.run('deferred events', (ex) => {
        for (const [kind, arg] of batch) this.postOrDrain(ex, kind, arg);
        this.pollAndArm(ex);
      });
    }
  }

  /** Posts an event, draining the queue first if it is full. */
  private postOrDrain(ex: CoreExports, kind: number, arg: number): number {
    let r = ex.post_event(kind, arg, this.now());
    if (r === -1) {
      ex.poll(this.now());
      r = ex.post_event(kind, arg, this.now());
    }
    return r;
  }

  /** docs/abi.md "Faults": new instance, init(last_led, last_id + 1), reopen every client. */
  private restart(what: string, cause: Error): void {
    this.restarts++;
    this.opts.log(`core fault in ${what}: ${cause.message}; restart #${this.restarts} (led ${this.lastLed}, id ${this.lastId + 1})`);
    for (let attempt = 1; ; attempt++) {
      try {
        this.startFromState();
        this.resync(this.ex);
        this.opts.onFault?.(what);
        return;
      } catch (e) {
        if (attempt >= MAX_RESTART_ATTEMPTS) {
          throw new Error(`core does not restart: ${(e as Error).message}`, { cause: e });
        }
        this.opts.log(`core fault while restarting: ${(e as Error).message}; attempt ${attempt + 1}`);
      }
    }
  }

  /**
   * Posts an event and polls. From inside an export call (a client dropped
   * while the core was writing to it) the event waits until the call returns.
   * Returns post_event's result, or undefined after a fault.
   */
  post(kind: number, arg: number): number | undefined {
    if (this.depth > 0) {
      this.deferred.push([kind, arg]);
      return 0;
    }
    return this.run(`post_event(${kind}, ${arg})`, (ex) => {
      const r = this.postOrDrain(ex, kind, arg);
      this.pollAndArm(ex);
      return r;
    });
  }

  /** poll(now): drains the queue, judges the switch, sends due keepalives, re-arms the deadline. */
  poll(): number | undefined {
    return this.run('poll', (ex) => this.pollAndArm(ex));
  }

  /** A switch edge (raw level after it, 0 = pressed), like the firmware's GPIO interrupt. */
  switchEdge(level: 0 | 1): void {
    this.post(EVENT_SWITCH, level);
  }

  /** The largest body icon_put accepts (read once per instance). */
  bodyCapacity(): number {
    return this.body.capacity;
  }

  /**
   * PUT /icon: copies the body into the core's buffer, calls icon_put with
   * the full length and polls so the toggle is applied at once. Returns the
   * result code, or undefined after a fault.
   */
  iconPut(body: Uint8Array, fullLength: number): number | undefined {
    return this.run('icon_put', (ex) => {
      const { ptr, capacity } = this.body; // checked against memory at instantiation
      const n = Math.min(body.length, capacity);
      new Uint8Array(ex.memory.buffer, ptr, n).set(body.subarray(0, n));
      const code = ex.icon_put(fullLength);
      this.pollAndArm(ex);
      return code;
    });
  }

  state(): CoreState {
    const read = (ex: CoreExports): CoreState => ({
      led: ex.led_state() === 1,
      id: ex.event_id() >>> 0,
      dropped: ex.dropped_events() >>> 0,
      queued: ex.queue_length() >>> 0,
    });
    return this.run('state', read) ?? read(this.ex);
  }

  /** The last LED level the core drove. */
  get led(): boolean {
    return this.lastLed === 1;
  }

  /** Debug core only: executes `unreachable` in the core, exercising fault recovery. */
  trap(): boolean {
    const fn = this.ex.debug_trap;
    if (!this.debug || typeof fn !== 'function') return false;
    this.run('debug_trap', () => fn());
    return true;
  }

  /** Cancels the pending deadline; the core is not called again by itself. */
  stop(): void {
    this.stopped = true;
    this.cancelWake();
  }
}

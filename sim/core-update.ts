/**
 * Live update of the core in the simulator, as docs/update.md describes it
 * for both hosts: validate (the firmware's own C validator, compiled to
 * Wasm), verify the signature, refuse anything not newer, run a trial beside
 * the running core, swap, and watch it: 3 faults within 60 s and it is
 * rolled back. The board keeps its slots in flash (update-storage.md); the
 * simulator keeps the same slots in memory.
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { CoreValidator } from '../scripts/core-validator.ts';
import { rollbackMessage, verifyRollback, verifySigned } from '../scripts/core-image-format.ts';
import { ABI_VERSION } from './abi.ts';
import type { CoreHost } from './core-host.ts';

export interface UpdateOptions {
  /** The project's public key; null disables updates (every upload gets 403). */
  publicKey: KeyObject | null;
  /** Largest upload, bytes (docs/update.md: 32 KiB by default). */
  maxBytes: number;
  /** Faults within windowMs after a swap that roll it back. */
  watchTraps: number;
  watchWindowMs: number;
  /** Milliseconds on the host's clock. */
  now(): number;
  log(line: string): void;
}

export const UPDATE_DEFAULTS = { maxBytes: 32 * 1024, watchTraps: 3, watchWindowMs: 60_000 } as const;

type SlotName = 'A' | 'B';
type SlotState = 'trial' | 'good' | 'bad';

interface Image {
  module: WebAssembly.Module;
  version: number;
  sha256: string;
  size: number;
}

interface Slot extends Image {
  name: SlotName;
  state: SlotState;
}

/** The answer to an upload or a rollback: HTTP status and body. */
export interface UpdateReply {
  status: number;
  /** JSON status on success, one `refused: …` line otherwise. */
  body: unknown;
  retryAfter?: number;
}

export interface CoreStatusJson {
  abi: number;
  updates: string;
  running: { source: 'embedded' | 'uploaded'; slot: SlotName | null; version: number; sha256: string; size: number; state: 'embedded' | SlotState; since_ms: number; traps: number };
  previous: { source: 'embedded' | 'uploaded'; slot?: SlotName; version: number; sha256: string; size: number } | null;
  watch: { traps: number; window_ms: number };
  last_refusal: { status: number; reason: string; at_ms: number } | null;
  last_rollback: { reason: string; at_ms: number } | null;
}

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export class CoreUpdates {
  private readonly slots: Partial<Record<SlotName, Slot>> = {};
  private running: SlotName | null = null;
  private since: number;
  private traps = 0;
  private busy = false;
  private lastRefusal: CoreStatusJson['last_refusal'] = null;
  private lastRollback: CoreStatusJson['last_rollback'] = null;
  private confirmTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly core: CoreHost,
    private readonly embedded: Image,
    private readonly validator: CoreValidator,
    private readonly opts: UpdateOptions,
  ) {
    this.since = opts.now();
  }

  /** The embedded core's identity, from the bytes it was loaded from. */
  static embeddedImage(module: WebAssembly.Module, bytes: Uint8Array): Image {
    return { module, version: 0, sha256: sha256Hex(bytes), size: bytes.length };
  }

  private current(): Image & { slot: SlotName | null; state: 'embedded' | SlotState } {
    const slot = this.running ? this.slots[this.running] : undefined;
    return slot ? { ...slot, slot: slot.name, state: slot.state } : { ...this.embedded, slot: null, state: 'embedded' };
  }

  /** What a rollback to "previous" runs: the other slot if good, else the embedded core. */
  private previous(): Slot | null | 'embedded' {
    if (this.running === null) return null;
    const other = this.slots[this.running === 'A' ? 'B' : 'A'];
    return other?.state === 'good' ? other : 'embedded';
  }

  status(): CoreStatusJson {
    const c = this.current();
    const p = this.previous();
    return {
      abi: ABI_VERSION,
      updates: this.opts.publicKey ? 'enabled' : 'disabled: no public key',
      running: {
        source: c.slot ? 'uploaded' : 'embedded', slot: c.slot, version: c.version, sha256: c.sha256,
        size: c.size, state: c.state, since_ms: Math.floor(this.since), traps: this.traps,
      },
      previous: p === null ? null : p === 'embedded'
        ? { source: 'embedded', version: 0, sha256: this.embedded.sha256, size: this.embedded.size }
        : { source: 'uploaded', slot: p.name, version: p.version, sha256: p.sha256, size: p.size },
      watch: { traps: this.opts.watchTraps, window_ms: this.opts.watchWindowMs },
      last_refusal: this.lastRefusal,
      last_rollback: this.lastRollback,
    };
  }

  private refuse(status: number, reason: string, retryAfter?: number): UpdateReply {
    this.lastRefusal = { status, reason, at_ms: Math.floor(this.opts.now()) };
    this.opts.log(`core update ${reason} (${status})`);
    return retryAfter === undefined ? { status, body: reason } : { status, body: reason, retryAfter };
  }

  /** PUT /core with the whole body (the HTTP layer already refused oversize and codings). */
  async upload(file: Uint8Array): Promise<UpdateReply> {
    if (this.busy) return this.refuse(503, this.validator.textOf('BUSY'), 1);
    if (!this.opts.publicKey) return this.refuse(403, this.validator.textOf('UPDATES_DISABLED'));
    this.busy = true;
    try {
      const v = this.validator.check(file, { maxLen: this.opts.maxBytes });
      if (!v.ok) return this.refuse(this.validator.httpStatus(v.verdict), v.text);
      if (!verifySigned(file, v.signedLen, v.sigOffset, v.sigLen, this.opts.publicKey)) {
        return this.refuse(this.validator.httpStatus('BAD_SIGNATURE'), this.validator.textOf('BAD_SIGNATURE'));
      }
      if (!this.validator.versionAcceptable(this.current().version, v.version)) {
        return this.refuse(this.validator.httpStatus('NOT_NEWER'), this.validator.textOf('NOT_NEWER'));
      }
      const module = await WebAssembly.compile(file as Uint8Array<ArrayBuffer>);
      const why = this.core.trial(module, (frame, led, id) => this.validator.frameCheck(frame, led, id));
      if (why) return this.refuse(this.validator.httpStatus('TRIAL_FAILED'), `${this.validator.textOf('TRIAL_FAILED')}: ${why}`);
      // Never into the slot of the newest good core (update-storage.md).
      const target: SlotName = this.running === 'A' ? 'B' : this.running === 'B' ? 'A'
        : this.slots.A?.state === 'good' && this.slots.B?.state !== 'good' ? 'B' : 'A';
      const slot: Slot = { name: target, state: 'trial', module, version: v.version, sha256: sha256Hex(file.subarray(0, v.signedLen)), size: file.length };
      this.core.swap(module);
      this.slots[target] = slot;
      this.started(target);
      this.opts.log(`core update: version ${v.version} (${slot.sha256.slice(0, 12)}) runs from slot ${target}, on trial`);
      return { status: 200, body: this.status() };
    } finally {
      this.busy = false;
    }
  }

  /** POST /core/rollback: `to` and a signature over `rollback:<to>:<running sha256>`. */
  rollback(body: unknown): UpdateReply {
    if (!this.opts.publicKey) return this.refuse(403, this.validator.textOf('UPDATES_DISABLED'));
    const req = body as { to?: unknown; signature?: unknown } | null;
    if (!req || (req.to !== 'previous' && req.to !== 'embedded') || typeof req.signature !== 'string') {
      return this.refuse(400, 'refused: the body must be {"to":"previous"|"embedded","signature":"<base64>"}');
    }
    const running = this.current().sha256;
    if (!verifyRollback(req.to, running, req.signature, this.opts.publicKey)) {
      return this.refuse(403, `refused: the rollback signature does not verify for ${rollbackMessage(req.to, running)}`);
    }
    if (this.running === null) return this.refuse(409, 'refused: the embedded core runs already: nothing to roll back to');
    this.rollBack(req.to, 'asked');
    return { status: 200, body: this.status() };
  }

  /** The running slot is marked bad; the previous good core (or the embedded one) runs. */
  private rollBack(to: 'previous' | 'embedded', why: string): void {
    const from = this.running ? this.slots[this.running] : undefined;
    if (!from) return;
    from.state = 'bad';
    const prev = to === 'previous' ? this.previous() : 'embedded';
    const target = prev === 'embedded' || prev === null ? null : prev;
    this.core.swap(target ? target.module : this.embedded.module);
    this.started(target ? target.name : null);
    const line = `rolled back (${why}) from slot ${from.name} version ${from.version} to ${target ? `slot ${target.name} version ${target.version}` : 'the embedded core'}`;
    this.lastRollback = { reason: line, at_ms: Math.floor(this.opts.now()) };
    this.opts.log(`core ${line}`);
  }

  private started(slot: SlotName | null): void {
    this.running = slot;
    this.since = this.opts.now();
    this.traps = 0;
    clearTimeout(this.confirmTimer);
    this.confirmTimer = undefined;
    const s = slot ? this.slots[slot] : undefined;
    if (s?.state === 'trial') {
      // Survived the watch window: good.
      this.confirmTimer = setTimeout(() => {
        if (this.running === slot && s.state === 'trial') {
          s.state = 'good';
          this.opts.log(`core in slot ${s.name} (version ${s.version}) confirmed good`);
        }
      }, this.opts.watchWindowMs);
      this.confirmTimer.unref();
    }
  }

  /** CoreHost.onFault: the watch. Called from inside a core call, so the rollback waits for it to return. */
  noteFault(): void {
    this.traps++;
    const s = this.running ? this.slots[this.running] : undefined;
    if (s?.state !== 'trial' || this.traps < this.opts.watchTraps) return;
    setImmediate(() => {
      if (this.running === s.name && s.state === 'trial') this.rollBack('previous', `${this.traps} faults within ${this.opts.watchWindowMs} ms`);
    });
  }

  /** The one-line text of a verdict (the HTTP layer's own 413 uses it). */
  textOf(verdict: string): string {
    return this.validator.textOf(verdict);
  }

  stop(): void {
    clearTimeout(this.confirmTimer);
  }
}

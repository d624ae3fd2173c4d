/**
 * The virtual board: a push switch on "GPIO 0" (active low, idle level 1).
 * Like the firmware's any-edge GPIO interrupt, every level change is posted
 * to the core at once as EVENT_SWITCH with its time; the core's debounce then
 * asks to be polled at its deadline (sim/core-host.ts). Nothing is sampled.
 */
import type { CoreHost } from './core-host.ts';

export class Board {
  /** Raw level of the switch: 0 = pressed, 1 = released. */
  private level: 0 | 1 = 1;
  /** process.hrtime of the last level change, in µs (null: none yet). */
  lastEdgeUs: number | null = null;
  private pressTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly core: CoreHost;

  constructor(core: CoreHost) {
    this.core = core;
  }

  stop(): void {
    clearTimeout(this.pressTimer);
    this.pressTimer = undefined;
  }

  /** Sets the raw level; a change is an edge the core hears about at once. */
  set(level: 0 | 1): void {
    clearTimeout(this.pressTimer);
    this.pressTimer = undefined;
    this.edge(level);
  }

  get pressed(): boolean {
    return this.level === 0;
  }

  /** Presses the switch and releases it `holdMs` later (a terminal has no key-up). */
  press(holdMs: number): void {
    if (this.pressTimer) return;
    this.edge(0);
    this.pressTimer = setTimeout(() => {
      this.pressTimer = undefined;
      this.edge(1);
    }, holdMs);
  }

  private edge(level: 0 | 1): void {
    if (level === this.level) return;
    this.level = level;
    this.lastEdgeUs = Number(process.hrtime.bigint() / 1000n);
    this.core.switchEdge(level);
  }
}

/**
 * The virtual board: a push switch on "GPIO 0" (active low, idle level 1) that
 * is sampled every `sampleMs` like the firmware's sampler task. Each sample is
 * posted as EVENT_SWITCH and followed by poll(now), so the core's debounce
 * runs on real time exactly as on the ESP32.
 */
import type { CoreHost } from './core-host.ts';

export class Board {
  /** Raw level of the switch: 0 = pressed, 1 = released. */
  private level: 0 | 1 = 1;
  private timer: ReturnType<typeof setInterval> | undefined;
  private pressTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly core: CoreHost;
  private readonly sampleMs: number;

  constructor(core: CoreHost, sampleMs: number) {
    this.core = core;
    this.sampleMs = sampleMs;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.core.sample(this.level), this.sampleMs);
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.pressTimer);
    this.timer = undefined;
  }

  /** Sets the raw level the next samples read. */
  set(level: 0 | 1): void {
    clearTimeout(this.pressTimer);
    this.pressTimer = undefined;
    this.level = level;
  }

  get pressed(): boolean {
    return this.level === 0;
  }

  /** Presses the switch and releases it `holdMs` later (a terminal has no key-up). */
  press(holdMs: number): void {
    if (this.pressTimer) return;
    this.level = 0;
    this.pressTimer = setTimeout(() => {
      this.pressTimer = undefined;
      this.level = 1;
    }, holdMs);
  }
}

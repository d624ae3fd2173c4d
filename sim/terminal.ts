/**
 * The simulator in a terminal. On a TTY: the SPACE bar presses the virtual
 * switch (a key press is "down", then "up" after PRESS_MS, since a terminal
 * reports no key-up), q or Ctrl-C quits, and LED changes are shown. Without a
 * TTY, LED changes are just logged.
 */
import type { Board } from './board.ts';

/** How long a SPACE press holds the switch: well over the debounce window. */
export const PRESS_MS = 150;
/** LED changes closer together than this are summed up, not printed one by one. */
const LED_GAP_MS = 50;

export interface Terminal {
  /** Shows an LED change. */
  led(on: boolean): void;
  /** Prints a log line. */
  log(line: string): void;
  /** Restores the terminal. */
  close(): void;
}

const time = (): string => new Date().toISOString().slice(11, 23);

export function openTerminal(
  out: NodeJS.WriteStream,
  input: NodeJS.ReadStream,
  board: () => Board | undefined,
  quit: () => void,
): Terminal {
  const tty = Boolean(input.isTTY && out.isTTY);
  const color = tty && out.hasColors?.() === true;
  const print = (line: string): void => {
    out.write(`${time()} ${line}\n`);
  };

  let onData: ((key: Buffer) => void) | undefined;
  if (tty) {
    input.setRawMode(true);
    input.resume();
    onData = (key: Buffer) => {
      const k = key.toString('utf8');
      if (k === ' ') board()?.press(PRESS_MS);
      else if (k === 'q' || k === 'Q' || k === '\u0003' || k === '\u0004') quit();
    };
    input.on('data', onData);
  }

  const showLed = (on: boolean, note = ''): void => {
    if (!tty) print(`LED ${on ? 'on' : 'off'}${note}`);
    else if (color) print((on ? '\x1b[1;31m●\x1b[0m LED on' : '\x1b[2m○\x1b[0m LED off') + note);
    else print((on ? '● LED on' : '○ LED off') + note);
  };
  // A flood of changes (a load test) is summed up instead of printed line by
  // line: at most one line per LED_GAP_MS, then one summary per second.
  let lastShown = 0;
  let hidden = 0;
  let hiddenLed = false;
  let summary: ReturnType<typeof setTimeout> | undefined;

  return {
    led(on) {
      const now = Date.now();
      if (!summary && now - lastShown >= LED_GAP_MS) {
        lastShown = now;
        showLed(on);
        return;
      }
      hidden++;
      hiddenLed = on;
      summary ??= setTimeout(() => {
        showLed(hiddenLed, ` (${hidden} changes in the last second)`);
        hidden = 0;
        summary = undefined;
        lastShown = Date.now();
      }, 1000);
    },
    log: print,
    close() {
      clearTimeout(summary);
      if (!tty) return;
      if (onData) input.off('data', onData);
      input.setRawMode(false);
      input.pause();
    },
  };
}

export function isInteractive(input: NodeJS.ReadStream, out: NodeJS.WriteStream): boolean {
  return Boolean(input.isTTY && out.isTTY);
}

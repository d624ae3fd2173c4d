/** The LED icon: one DOM element whose attributes mirror the LED state. */

export type Led = boolean | null;

/** The value of `data-led` for a state: "on", "off" or "unknown". */
export function ledWord(on: Led): 'on' | 'off' | 'unknown' {
  return on === null ? 'unknown' : on ? 'on' : 'off';
}

/**
 * Shows `on` on `el` (the `<button>` on the page, a plain element on the board
 * view). Returns true when the shown state changed; an unchanged state touches
 * nothing, so observers see exactly one mutation per real change.
 */
export function showLed(el: HTMLElement, on: Led): boolean {
  const word = ledWord(on);
  if (el.dataset.led === word) return false;
  el.dataset.led = word;
  if (el instanceof HTMLButtonElement) el.setAttribute('aria-pressed', on ? 'true' : 'false');
  return true;
}

/** Human text for a state. */
export function ledText(on: Led): string {
  return on === null ? 'LED state unknown' : on ? 'LED is on' : 'LED is off';
}

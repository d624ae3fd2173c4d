/**
 * Reads QR codes back, so tests check what a phone's camera would read rather
 * than how the code was drawn: module matrices from the terminal output of
 * `qrcode`'s small renderer (half blocks, ANSI colours) or from RGBA pixels
 * (a Chromium screenshot), decoded by jsQR.
 */
import jsqr from 'jsqr';

// jsqr is CommonJS with `module.exports = jsQR` and `.default = jsQR`; its
// typings declare only the ES default, which NodeNext resolves to the module
// object. Both are the same function at run time.
const jsQR = (jsqr as unknown as { default: typeof jsqr.default }).default;

/** Renders a module matrix (true = dark) as RGBA with a quiet zone, `scale` px per module. */
function rasterize(rows: boolean[][], scale = 4, quiet = 4): { data: Uint8ClampedArray; width: number; height: number } {
  const n = Math.max(...rows.map((r) => r.length));
  const width = (n + 2 * quiet) * scale;
  const height = (rows.length + 2 * quiet) * scale;
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  rows.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = (((y + quiet) * scale + dy) * width + (x + quiet) * scale + dx) * 4;
          data[i] = data[i + 1] = data[i + 2] = 0;
        }
      }
    }),
  );
  return { data, width, height };
}

/**
 * Module rows of a terminal QR code: each character is two modules stacked
 * ('█' both, '▀' top, '▄' bottom), dark when drawn in the black foreground
 * (ESC[30m) and light when drawn in white (ESC[37m) or on the bare terminal.
 */
export function terminalModules(text: string): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of text.split('\n')) {
    if (!/[▀▄█]/.test(line)) continue;
    const top: boolean[] = [];
    const bottom: boolean[] = [];
    let fgDark = false;
    for (let i = 0; i < line.length; i++) {
      if (line[i] === '\x1b') {
        const m = /^\x1b\[(\d+)m/.exec(line.slice(i));
        if (m) {
          const code = Number(m[1]);
          if (code === 30) fgDark = true;
          else if (code === 37 || code === 0) fgDark = false;
          i += m[0].length - 1;
          continue;
        }
      }
      const c = line[i]!;
      top.push(fgDark && (c === '█' || c === '▀'));
      bottom.push(fgDark && (c === '█' || c === '▄'));
    }
    rows.push(top, bottom);
  }
  return rows;
}

/** The text of the QR code in a terminal rendering, or null. */
export function decodeTerminalQr(text: string): string | null {
  const img = rasterize(terminalModules(text));
  return jsQR(img.data, img.width, img.height)?.data ?? null;
}

/** The text of a QR code in RGBA pixels, or null. */
export function decodeRgba(data: Uint8ClampedArray, width: number, height: number): string | null {
  return jsQR(data, width, height)?.data ?? null;
}

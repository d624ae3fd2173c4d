// Builds the page into ONE self-contained file, dist/index.html (JS and CSS
// inlined, no external fetch: the board's access point has no internet), and
// dist/index.html.gz (gzip level 9) for the firmware to embed. Also builds the
// simulator's virtual-board page, dist/sim.html. Prints the sizes and fails
// when the page's gzip exceeds the budget. Writes the strong ETag of each
// representation of the page (dist/index.html.etag, dist/index.html.gz.etag):
// the simulator serves them, the firmware embeds the gzip one.
import { build } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';
import { createHash } from 'node:crypto';

const web = dirname(fileURLToPath(import.meta.url));
const out = join(web, '..', 'dist');
const BUDGET_GZ = 8 * 1024;

async function bundle(entry, cssFiles, template) {
  const js = await build({
    entryPoints: [join(web, 'src', entry)],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome80', 'safari13', 'firefox78'],
    write: false,
    logLevel: 'warning',
  });
  let css = '';
  for (const f of cssFiles) {
    const r = await build({
      entryPoints: [join(web, 'src', f)],
      bundle: true,
      minify: true,
      target: ['chrome80', 'safari13', 'firefox78'],
      write: false,
      logLevel: 'warning',
    });
    css += r.outputFiles[0].text.trim();
  }
  const code = js.outputFiles[0].text.trim();
  if (/<\/script/i.test(code) || /<\/style/i.test(css)) throw new Error(`${entry}: closing tag inside inlined code`);
  const svg = (await readFile(join(web, 'led.svg'), 'utf8')).trim();
  const html = (await readFile(join(web, template), 'utf8'))
    .replace(/\n\s*/g, '\n')
    .replace('/*@CSS@*/', () => css)
    .replace('/*@JS@*/', () => code)
    .replace('<!--@ICON@-->', () => svg.replace(/\n\s*/g, ''));
  for (const mark of ['/*@CSS@*/', '/*@JS@*/', '<!--@ICON@-->']) {
    if (html.includes(mark)) throw new Error(`${template}: placeholder ${mark} left`);
  }
  if (/\s(src|href)="(?!data:|\/|#)/.test(html)) throw new Error(`${template}: external reference`);
  return Buffer.from(html, 'utf8');
}

await mkdir(out, { recursive: true });

const page = await bundle('main.ts', ['styles.css'], 'index.html');
const gz = gzipSync(page, { level: constants.Z_BEST_COMPRESSION });
await writeFile(join(out, 'index.html'), page);
await writeFile(join(out, 'index.html.gz'), gz);

// A strong validator names exact bytes (RFC 9110 8.8.1), so the identity and
// the gzip page get one each: 128 bits of SHA-256, base64url, quoted.
const etagOf = (bytes) => `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;
await writeFile(join(out, 'index.html.etag'), etagOf(page));
await writeFile(join(out, 'index.html.gz.etag'), etagOf(gz));

const sim = await bundle('sim-page.ts', ['styles.css', 'sim.css'], 'sim.html');
await writeFile(join(out, 'sim.html'), sim);

const kib = (n) => `${(n / 1024).toFixed(2)} KiB`;
console.log(`dist/index.html     ${page.length} B (${kib(page.length)})`);
console.log(`dist/index.html.gz  ${gz.length} B (${kib(gz.length)}), budget ${BUDGET_GZ} B`);
console.log(`dist/sim.html       ${sim.length} B (simulator only)`);
if (gz.length > BUDGET_GZ) {
  console.error(`page too large: ${gz.length} B gzipped > ${BUDGET_GZ} B`);
  process.exit(1);
}

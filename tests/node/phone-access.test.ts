/**
 * What a phone meets when it joins, against the simulator (docs/abi.md
 * "Captive portal" and the page's ETag): connectivity probes and other sites'
 * URLs are redirected to the page, the RFC 8908 API says "captive", the page
 * revalidates to a 304 with no body, and the URL is printed as a QR code that
 * decodes back to it. The If-None-Match rule is checked with the same vectors
 * as the firmware's C (tests/fixtures/if-none-match.txt).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { PROBE_PATHS } from '../../sim/captive.ts';
import { noneMatchHit } from '../../sim/etag.ts';
import { DIST_DIR, ROOT, startSimulator, type Simulator } from '../../sim/index.ts';
import { phoneUrl } from '../../sim/qr.ts';
import { SimChild } from '../support/load-sim.ts';
import { decodeTerminalQr } from '../support/qr-decode.ts';
import { rawRequest, type RawResponse } from '../support/sim-client.ts';
import { waitFor } from '../support/wait.ts';

let sim: Simulator;
let base: string;

before(async () => {
  sim = await startSimulator({ port: 0 });
  base = sim.url;
});
after(async () => {
  await sim.close();
});

/** The paths of docs/abi.md's "Connectivity probes" table. */
function documentedProbes(): string[] {
  const doc = readFileSync(join(ROOT, 'docs', 'abi.md'), 'utf8');
  const paths: string[] = [];
  let inTable = false;
  for (const line of doc.split('\n')) {
    if (line.startsWith('#')) inTable = line.includes('Connectivity probes');
    else if (inTable && line.startsWith('| `/')) paths.push(line.slice(3, line.indexOf('`', 3)));
  }
  return paths;
}

/** Which real host each probe is sent to, for a realistic Host header. */
const PROBE_HOST: Record<string, string> = {
  '/generate_204': 'connectivitycheck.gstatic.com',
  '/gen_204': 'www.google.com',
  '/hotspot-detect.html': 'captive.apple.com',
  '/library/test/success.html': 'www.apple.com',
  '/connecttest.txt': 'www.msftconnecttest.com',
  '/redirect': 'www.msftconnecttest.com',
  '/ncsi.txt': 'www.msftncsi.com',
  '/canonical.html': 'detectportal.firefox.com',
  '/success.txt': 'detectportal.firefox.com',
  '/check_network_status.txt': 'nmcheck.gnome.org',
  '/kindle-wifi/wifistub.html': 'spectrum.s3.amazonaws.com',
};

function assertRedirect(r: RawResponse, what: string): void {
  assert.equal(r.status, 302, `${what}: status`);
  assert.equal(r.headers.location, base, `${what}: Location`);
  assert.equal(r.headers['cache-control'], 'no-store', `${what}: a redirect must not be cached`);
}

describe('captive portal', () => {
  test('the simulator answers exactly the probes docs/abi.md lists', () => {
    const doc = documentedProbes();
    assert.ok(doc.length >= 10, 'docs/abi.md "Connectivity probes" table not found');
    assert.deepEqual([...PROBE_PATHS].sort(), [...doc].sort());
    assert.deepEqual(Object.keys(PROBE_HOST).sort(), [...doc].sort());
  });

  test('every probe, on its real host name, is redirected to the page with a body', async () => {
    for (const path of documentedProbes()) {
      const r = await rawRequest(base, 'GET', path, { headers: { Host: PROBE_HOST[path]!, 'User-Agent': 'probe' } });
      assertRedirect(r, `GET ${path}`);
      assert.ok(r.body.includes(base), `GET ${path}: the body names the page (iOS wants content)`);
    }
  });

  test('probes are redirected on our own address too, with a query string, and for HEAD', async () => {
    assertRedirect(await rawRequest(base, 'GET', '/generate_204'), 'own host');
    assertRedirect(await rawRequest(base, 'GET', '/hotspot-detect.html?x=1'), 'query string');
    const head = await rawRequest(base, 'HEAD', '/connecttest.txt', { headers: { Host: 'www.msftconnecttest.com' } });
    assertRedirect(head, 'HEAD');
    assert.equal(head.body, '');
  });

  test("any URL of another site is redirected; our own unknown paths stay 404", async () => {
    assertRedirect(await rawRequest(base, 'GET', '/some/article?id=3', { headers: { Host: 'news.example' } }), 'foreign');
    assertRedirect(await rawRequest(base, 'GET', '/favicon.ico', { headers: { Host: 'example.com:80' } }), 'foreign');
    assert.equal((await rawRequest(base, 'GET', '/nope')).status, 404);
    assert.equal((await rawRequest(base, 'GET', '/nope', { headers: { Host: 'localhost' } })).status, 404);
    assert.equal((await rawRequest(base, 'GET', '/nope', { headers: { Host: `LOCALHOST:${sim.port}` } })).status, 404);
    // Only GET and HEAD: a POST to a probe path is an ordinary unknown route.
    assert.equal((await rawRequest(base, 'POST', '/generate_204', { body: 'x' })).status, 404);
    // Routes keep their meaning whatever the Host: the page is the page.
    const page = await rawRequest(base, 'GET', '/', { headers: { Host: 'connectivitycheck.gstatic.com' } });
    assert.equal(page.status, 200);
  });

  test('the RFC 8908 API says captive and names the page', async () => {
    const r = await rawRequest(base, 'GET', '/captive-portal/api', { headers: { Accept: 'application/captive+json' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/captive+json');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.deepEqual(JSON.parse(r.body), { captive: true, 'user-portal-url': base });
    assert.equal((await rawRequest(base, 'PUT', '/captive-portal/api', { body: '' })).status, 405);
  });
});

describe('page ETag and 304', () => {
  const gzEtag = readFileSync(join(DIST_DIR, 'index.html.gz.etag'), 'latin1');
  const idEtag = readFileSync(join(DIST_DIR, 'index.html.etag'), 'latin1');

  test('the build wrote one strong ETag per representation', () => {
    assert.match(gzEtag, /^"[A-Za-z0-9_-]{22}"$/);
    assert.match(idEtag, /^"[A-Za-z0-9_-]{22}"$/);
    assert.notEqual(gzEtag, idEtag);
  });

  /** GET / with raw bytes (no automatic decompression), to see the exact body. */
  function getPage(headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const u = new URL(base);
      const req = request({ host: u.hostname, port: u.port, path: '/', headers, agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  test('200 carries the ETag and Cache-Control: no-cache, for gzip and identity', async () => {
    const gz = await getPage({ 'Accept-Encoding': 'gzip' });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers.etag, gzEtag);
    assert.equal(gz.headers['cache-control'], 'no-cache');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gz.body, readFileSync(join(DIST_DIR, 'index.html.gz')));
    const plain = await getPage({});
    assert.equal(plain.headers.etag, idEtag);
    assert.equal(gunzipSync(gz.body).toString(), plain.body.toString());
  });

  test('a matching If-None-Match gets 304 with no body and the same validators', async () => {
    const r = await getPage({ 'Accept-Encoding': 'gzip', 'If-None-Match': gzEtag });
    assert.equal(r.status, 304);
    assert.equal(r.body.length, 0);
    assert.equal(r.headers.etag, gzEtag);
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.equal(r.headers.vary, 'Accept-Encoding');
    assert.equal(r.headers['content-length'], undefined);
    // The other representation's tag is not a match: a strong ETag names bytes.
    assert.equal((await getPage({ 'Accept-Encoding': 'gzip', 'If-None-Match': idEtag })).status, 200);
    assert.equal((await getPage({ 'If-None-Match': idEtag })).status, 304);
    assert.equal((await getPage({ 'If-None-Match': `W/${idEtag}` })).status, 304, 'weak comparison');
  });

  test('If-None-Match vectors shared with the firmware: rule and HTTP agree', async () => {
    const lines = readFileSync(join(ROOT, 'tests', 'fixtures', 'if-none-match.txt'), 'latin1').split('\n');
    const etag = lines.find((l) => l.startsWith('# etag '))!.slice(7);
    let checked = 0;
    for (const line of lines) {
      if (line.startsWith('#') || line === '') continue;
      const want = line[0] === '1';
      const raw = line.slice(2).replace(/\\t/g, '\t');
      const field = raw === '<none>' ? undefined : raw;
      assert.equal(noneMatchHit(field, etag), want, `[${raw}] vs ${etag}`);
      // Over HTTP against the real page: substitute its tag for the vector's.
      // A value that is only whitespace is sent as an empty field by Node.
      if (field !== undefined && field.trim() !== '') {
        const real = field.split(etag.slice(1, -1)).join(idEtag.slice(1, -1));
        const r = await getPage({ 'If-None-Match': real });
        assert.equal(r.status, want ? 304 : 200, `HTTP If-None-Match [${real}]`);
      }
      checked++;
    }
    assert.ok(checked >= 30);
  });
});

describe('QR codes', () => {
  test('phoneUrl: loopback is shown but not reachable from a phone; a wildcard becomes a LAN address', () => {
    assert.deepEqual(phoneUrl('127.0.0.1', 8080), { url: 'http://127.0.0.1:8080/', reachable: false });
    assert.deepEqual(phoneUrl('192.168.1.20', 80), { url: 'http://192.168.1.20/', reachable: true });
    assert.equal(phoneUrl('::1', 8080).url, 'http://[::1]:8080/');
    assert.match(phoneUrl('0.0.0.0', 8080).url, /^http:\/\/[0-9.]+:8080\/$/);
  });

  test('GET /sim/qr gives the URL and an SVG QR code', async () => {
    const r = await rawRequest(base, 'GET', '/sim/qr');
    assert.equal(r.status, 200);
    const q = JSON.parse(r.body) as { url: string; svg: string };
    assert.equal(q.url, base);
    assert.match(q.svg, /^<svg[^>]*viewBox="0 0 (\d+) \1"/);
  });

  test('npm start prints a QR code that decodes to its URL', async () => {
    const child = await SimChild.start({ memoryHook: false, verbose: true });
    try {
      const out = await waitFor(
        'the phone lines of npm start',
        () => /open it from a phone|same network/.test(child.output()) && child.output(),
        5000,
        50,
      );
      assert.equal(decodeTerminalQr(out), child.url, out);
      assert.match(out, /start with --host 0\.0\.0\.0/);
    } finally {
      await child.stop();
    }
  });
});

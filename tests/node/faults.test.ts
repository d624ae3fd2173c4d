/**
 * Fault tests against the simulator as a child process, with raw node:net
 * sockets where HTTP has to be malformed:
 *  - 82 malformed or hostile requests, all at once (wrong methods, traversal,
 *    huge or lying lengths, chunked garbage, NUL bytes, HTTP/0.9 and /2,
 *    slowloris header and body trickles...): each gets its 4xx or a closed
 *    connection, while an SSE client stays connected, the LED does not move,
 *    and the server still serves afterwards;
 *  - a trap injected into the debug core (POST /sim/trap): the host restarts
 *    the core, the LED survives, clients get a resync frame and the next toggle;
 *  - the release core has no debug_trap.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { SimState } from '../../sim/abi.ts';
import { DEFAULT_LIMITS } from '../../sim/http.ts';
import { ROOT, type SimChild } from '../support/load-sim.ts';
import { rawExchange, RawSseClient, request, type RawResult } from '../support/raw-http.ts';
import { simStarter } from '../support/sim-children.ts';
import { pollUntil } from '../support/wait.ts';

const startSim = simStarter();

// ---------------------------------------------------------------- cases --

const HOST_LINE = 'Host: 127.0.0.1\r\n';
/** A request with a Host header: request line, extra header lines, body. */
const req = (line: string, headers = '', body: string | Buffer = ''): Buffer =>
  Buffer.concat([Buffer.from(`${line}\r\n${HOST_LINE}${headers}\r\n`, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'latin1') : body]);
const put = (body: string | Buffer, headers?: string): Buffer =>
  req('PUT /icon HTTP/1.1', headers ?? `Content-Length: ${Buffer.byteLength(body)}\r\n`, body);

interface Expect {
  /** Acceptable status of the first response. */
  status?: number[];
  /** A connection closed without any response is acceptable. */
  orClosed?: boolean;
  /** The server must close the connection (parse errors, refused bodies, timeouts). */
  closes?: boolean;
  /** Text the response must not contain (case-insensitive). */
  notContaining?: RegExp;
  /** At least this many responses (pipelining). */
  responses?: number;
}

interface HostileCase {
  name: string;
  parts: Array<string | Buffer>;
  expect: Expect;
  intervalMs?: number;
  /** Half-close after writing. */
  fin?: boolean;
  /** Waits for a server timeout: deadline is that timeout + margin. */
  waitsFor?: 'headers' | 'request';
}

const E400: Expect = { status: [400], closes: true };
const E404: Expect = { status: [404] };
const E405: Expect = { status: [405] };
const TRAVERSAL = { status: [404], notContaining: /root:|<html|<!doctype/i };

const CASES: HostileCase[] = [
  // Wrong methods on known paths: 405 with Allow.
  { name: 'POST /', parts: [req('POST / HTTP/1.1', 'Content-Length: 0\r\n')], expect: E405 },
  { name: 'DELETE /demo_sse', parts: [req('DELETE /demo_sse HTTP/1.1')], expect: E405 },
  { name: 'PUT /demo_sse', parts: [req('PUT /demo_sse HTTP/1.1', 'Content-Length: 3\r\n', 'led')], expect: E405 },
  { name: 'HEAD /demo_sse', parts: [req('HEAD /demo_sse HTTP/1.1')], expect: E405 },
  { name: 'GET /icon', parts: [req('GET /icon HTTP/1.1')], expect: E405 },
  { name: 'POST /icon with body led', parts: [req('POST /icon HTTP/1.1', 'Content-Length: 3\r\n', 'led')], expect: E405 },
  { name: 'PATCH /icon', parts: [req('PATCH /icon HTTP/1.1', 'Content-Length: 3\r\n', 'led')], expect: E405 },
  { name: 'GET /icon with X-HTTP-Method-Override: PUT', parts: [req('GET /icon HTTP/1.1', 'X-HTTP-Method-Override: PUT\r\n')], expect: E405 },
  { name: 'OPTIONS /', parts: [req('OPTIONS / HTTP/1.1')], expect: E405 },
  { name: 'TRACE /', parts: [req('TRACE / HTTP/1.1')], expect: E405 },
  { name: 'GET /sim/switch', parts: [req('GET /sim/switch HTTP/1.1')], expect: E405 },
  { name: 'PUT /sim/state', parts: [req('PUT /sim/state HTTP/1.1', 'Content-Length: 0\r\n')], expect: E405 },
  { name: 'CONNECT 127.0.0.1:22', parts: [req('CONNECT 127.0.0.1:22 HTTP/1.1')], expect: { status: [400, 405], orClosed: true, closes: true } },
  { name: 'lower-case method', parts: [req('get / HTTP/1.1')], expect: E400 },
  { name: 'unknown method FOO', parts: [req('FOO / HTTP/1.1')], expect: E400 },
  // Unknown paths and traversal: 404, nothing served.
  { name: 'POST /sim/trap on the release core', parts: [req('POST /sim/trap HTTP/1.1', 'Content-Length: 0\r\n')], expect: E404 },
  { name: 'GET /nope', parts: [req('GET /nope HTTP/1.1')], expect: E404 },
  { name: 'GET /../../etc/passwd', parts: [req('GET /../../etc/passwd HTTP/1.1')], expect: TRAVERSAL },
  { name: 'GET /%2e%2e/%2e%2e/etc/passwd', parts: [req('GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1')], expect: TRAVERSAL },
  { name: 'GET /..%2f..%2fetc%2fpasswd', parts: [req('GET /..%2f..%2fetc%2fpasswd HTTP/1.1')], expect: TRAVERSAL },
  { name: 'GET /%252e%252e/etc/passwd', parts: [req('GET /%252e%252e/etc/passwd HTTP/1.1')], expect: TRAVERSAL },
  { name: 'GET /demo_sse/../index.html', parts: [req('GET /demo_sse/../index.html HTTP/1.1')], expect: TRAVERSAL },
  { name: 'GET //etc/passwd', parts: [req('GET //etc/passwd HTTP/1.1')], expect: TRAVERSAL },
  { name: 'GET /index.html%00.txt', parts: [req('GET /index.html%00.txt HTTP/1.1')], expect: TRAVERSAL },
  { name: 'GET /sim/../sim/state', parts: [req('GET /sim/../sim/state HTTP/1.1')], expect: E404 },
  { name: 'GET /./index.html', parts: [req('GET /./index.html HTTP/1.1')], expect: TRAVERSAL },
  { name: 'GET /%ZZ', parts: [req('GET /%ZZ HTTP/1.1')], expect: E404 },
  { name: 'GET \\..\\..\\windows\\win.ini', parts: [req('GET /\\..\\..\\windows\\win.ini HTTP/1.1')], expect: { status: [400, 404] } },
  { name: 'absolute-form to a foreign host', parts: [req('GET http://evil.example/etc/passwd HTTP/1.1')], expect: { status: [400, 404], notContaining: /root:/ } },
  { name: 'asterisk-form GET *', parts: [req('GET * HTTP/1.1')], expect: { status: [400, 404] } },
  {
    name: 'CRLF injection in the path',
    parts: [req('GET /%0d%0aSet-Cookie:%20x=1 HTTP/1.1')],
    expect: { status: [404], notContaining: /\r\nSet-Cookie:/i },
  },
  // Sizes: URL, headers, bodies, lengths.
  { name: 'URL of 7,000 bytes', parts: [req(`GET /${'a'.repeat(7000)} HTTP/1.1`)], expect: { status: [404, 414, 431] } },
  { name: 'URL of 20,000 bytes', parts: [req(`GET /${'a'.repeat(20000)} HTTP/1.1`)], expect: { status: [414, 431], closes: true } },
  { name: 'one header of 10 KB', parts: [req('GET / HTTP/1.1', `X-Big: ${'b'.repeat(10_000)}\r\n`)], expect: { status: [431], closes: true } },
  {
    name: '2,000 small headers',
    parts: [req('GET / HTTP/1.1', Array.from({ length: 2000 }, (_, i) => `X-H${i}: v\r\n`).join(''))],
    expect: { status: [431], closes: true },
  },
  {
    name: '100 small headers (within the size limit: served)',
    parts: [req('GET /sim/state HTTP/1.1', Array.from({ length: 100 }, (_, i) => `X-H${i}: v\r\n`).join(''))],
    expect: { status: [200, 431] },
  },
  { name: 'PUT /icon with a 100 KB body', parts: [put('l'.repeat(100_000))], expect: { status: [413], closes: true } },
  {
    name: 'PUT /icon with a 100 KB chunked body',
    parts: [put(`${(100_000).toString(16)}\r\n${'l'.repeat(100_000)}\r\n0\r\n\r\n`, 'Transfer-Encoding: chunked\r\n')],
    expect: { status: [413], closes: true },
  },
  { name: 'PUT /icon with 65 bytes (one over capacity)', parts: [put('l'.repeat(65))], expect: { status: [413] } },
  {
    name: 'Expect: 100-continue with Content-Length 1 MB',
    parts: [req('PUT /icon HTTP/1.1', 'Expect: 100-continue\r\nContent-Length: 1000000\r\n')],
    expect: { status: [413], closes: true },
  },
  { name: 'Content-Length 99999999999999999999', parts: [put('led', 'Content-Length: 99999999999999999999\r\n')], expect: E400 },
  { name: 'Content-Length -1', parts: [put('led', 'Content-Length: -1\r\n')], expect: E400 },
  { name: 'Content-Length abc', parts: [put('led', 'Content-Length: abc\r\n')], expect: E400 },
  { name: 'Content-Length 3 and 4', parts: [put('led!', 'Content-Length: 3\r\nContent-Length: 4\r\n')], expect: E400 },
  { name: 'Content-Length 10, 3 bytes, then FIN', parts: [put('led', 'Content-Length: 10\r\n')], fin: true, expect: { status: [400], orClosed: true, closes: true } },
  // Chunked garbage and request smuggling.
  { name: 'Content-Length with Transfer-Encoding', parts: [put('3\r\nled\r\n0\r\n\r\n', 'Content-Length: 3\r\nTransfer-Encoding: chunked\r\n')], expect: E400 },
  { name: 'chunk size not hex', parts: [put('ZZZ\r\nled\r\n0\r\n\r\n', 'Transfer-Encoding: chunked\r\n')], expect: E400 },
  { name: 'chunk size 2^68', parts: [put('FFFFFFFFFFFFFFFFF\r\nled\r\n0\r\n\r\n', 'Transfer-Encoding: chunked\r\n')], expect: E400 },
  { name: 'NUL in a chunk extension', parts: [put('3;\x00\r\nled\r\n0\r\n\r\n', 'Transfer-Encoding: chunked\r\n')], expect: E400 },
  { name: 'chunk longer than its size', parts: [put('1\r\nled\r\n0\r\n\r\n', 'Transfer-Encoding: chunked\r\n')], expect: E400 },
  // RFC 9112 removed `identity` as a transfer coding: unknown, so 501 (or 400).
  { name: 'Transfer-Encoding: identity', parts: [put('led', 'Transfer-Encoding: identity\r\n')], expect: { status: [400, 501] } },
  {
    // RFC 9112 6.1: an unknown transfer coding gets 501 (or the request is refused).
    name: 'Transfer-Encoding: gzip, chunked (body is not gzip)',
    parts: [put('3\r\nled\r\n0\r\n\r\n', 'Transfer-Encoding: gzip, chunked\r\n')],
    expect: { status: [400, 501] },
  },
  // Codings: the same statuses as the board (host/portable/http_coding.c, tests/c/test_http_coding.c).
  { name: 'Content-Encoding: br', parts: [put('led', 'Content-Encoding: br\r\nContent-Length: 3\r\n')], expect: { status: [415] } },
  { name: 'Content-Encoding: empty', parts: [put('led', 'Content-Encoding: \r\nContent-Length: 3\r\n')], expect: { status: [415] } },
  { name: 'Transfer-Encoding: gzip', parts: [put('led', 'Transfer-Encoding: gzip\r\n')], expect: { status: [501] } },
  { name: 'Transfer-Encoding: gzip with Content-Length', parts: [put('led', 'Transfer-Encoding: gzip\r\nContent-Length: 3\r\n')], expect: E400 },
  // Bodies the core must refuse.
  { name: 'PUT /icon binary body', parts: [put(Buffer.from([0xff, 0x00, 0x01, 0x80, 0x7f, 0x1b, 0x9b, 0xc3]))], expect: { status: [400] } },
  { name: 'PUT /icon "led\\0"', parts: [put('led\x00')], expect: { status: [400] } },
  { name: 'PUT /icon "\\0led"', parts: [put('\x00led')], expect: { status: [400] } },
  { name: 'PUT /icon "LED" (case)', parts: [put('LED')], expect: { status: [404] } },
  { name: 'PUT /icon empty', parts: [put('')], expect: { status: [400] } },
  { name: 'PUT /icon whitespace only', parts: [put(' \t\r\n ')], expect: { status: [400] } },
  { name: 'PUT /icon "led led"', parts: [put('led led')], expect: { status: [404] } },
  { name: 'PUT /icon UTF-8 "lëd"', parts: [put(Buffer.from('lëd', 'utf8'))], expect: { status: [400] } },
  { name: 'POST /sim/switch "sideways"', parts: [req('POST /sim/switch HTTP/1.1', 'Content-Length: 8\r\n', 'sideways')], expect: { status: [400] } },
  { name: 'POST /sim/switch 1,000 bytes', parts: [req('POST /sim/switch HTTP/1.1', 'Content-Length: 1000\r\n', 'd'.repeat(1000))], expect: { status: [413], closes: true } },
  // Broken framing.
  { name: 'NUL in the request line', parts: [req('GET /\x00 HTTP/1.1')], expect: E400 },
  { name: 'NUL in a header value', parts: [req('GET / HTTP/1.1', 'X-A: a\x00b\r\n')], expect: E400 },
  { name: 'NUL in Host', parts: ['GET / HTTP/1.1\r\nHost: a\x00b\r\n\r\n'], expect: E400 },
  { name: 'header line without a colon', parts: [req('GET / HTTP/1.1', 'BadHeader\r\n')], expect: E400 },
  { name: 'space in a header name', parts: [req('GET / HTTP/1.1', 'Bad Header: x\r\n')], expect: E400 },
  { name: 'obsolete line folding', parts: [req('GET / HTTP/1.1', 'X-A: a\r\n b\r\n')], expect: E400 },
  { name: 'HTTP/1.1 without Host', parts: ['GET / HTTP/1.1\r\n\r\n'], expect: E400 },
  { name: 'HTTP/3.0 request line', parts: [req('GET / HTTP/3.0')], expect: { status: [400, 505], closes: true } },
  { name: 'HTTP/2 connection preface', parts: ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'], expect: { status: [400, 505], orClosed: true, closes: true } },
  { name: 'raw UTF-8 in the path', parts: [Buffer.from(`GET /ünïcode HTTP/1.1\r\n${HOST_LINE}\r\n`, 'utf8')], expect: { status: [400, 404] } },
  {
    name: '1 KB of binary garbage',
    parts: [Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7919 + 13) & 0xff))],
    expect: { status: [400], orClosed: true, closes: true },
  },
  { name: 'TLS ClientHello', parts: [Buffer.from('16030100a5010000a10303', 'hex')], expect: { status: [400], orClosed: true, closes: true } },
  {
    name: 'valid request pipelined with garbage',
    parts: [Buffer.concat([req('GET /sim/state HTTP/1.1'), Buffer.from('\x01\x02garbage\r\n\r\n', 'latin1')])],
    expect: { status: [200], closes: true },
  },
  { name: '200 pipelined requests for unknown paths', parts: [Buffer.concat(Array.from({ length: 200 }, (_, i) => req(`GET /nope${i} HTTP/1.1`)))], expect: { status: [404], responses: 200 } },
  // Slow clients: closed (408) by the server's own timeouts.
  {
    name: 'slowloris: one header byte per 200 ms',
    parts: [...`GET / HTTP/1.1\r\n${HOST_LINE}X-Slow: ${'s'.repeat(200)}`],
    intervalMs: 200,
    waitsFor: 'headers',
    expect: { status: [408], orClosed: true, closes: true },
  },
  {
    name: 'slowloris on /demo_sse',
    parts: [...`GET /demo_sse HTTP/1.1\r\n${HOST_LINE}X-Slow: ${'s'.repeat(200)}`],
    intervalMs: 200,
    waitsFor: 'headers',
    expect: { status: [408], orClosed: true, closes: true },
  },
  { name: 'HTTP/0.9 request', parts: ['GET /\r\n'], waitsFor: 'headers', expect: { status: [400, 408], orClosed: true, closes: true } },
  { name: 'connection that sends nothing', parts: [], waitsFor: 'headers', expect: { status: [408], orClosed: true, closes: true } },
  { name: 'only empty lines', parts: ['\r\n\r\n\r\n'], waitsFor: 'headers', expect: { status: [400, 408], orClosed: true, closes: true } },
  {
    name: 'slow body: Content-Length 3, one byte, then nothing',
    parts: [put('l', 'Content-Length: 3\r\n')],
    waitsFor: 'request',
    expect: { status: [408], orClosed: true, closes: true },
  },
];

/** What is wrong with `r` for `e`, or null. */
function verdict(r: RawResult, e: Expect): string | null {
  const got = r.head ? r.head.statusLine : r.closed ? `closed without a response (${r.error ?? 'FIN'})` : 'no response, still open';
  if (!r.head) {
    if (e.orClosed && r.closed) return null;
    return `expected ${e.status?.join('/') ?? 'a response'}, got ${got}`;
  }
  if (e.status && !e.status.includes(r.head.status)) return `expected ${e.status.join('/')}, got ${got}`;
  if (r.head.status >= 500 && r.head.status !== 501 && r.head.status !== 505) return `server error: ${got}`;
  if (r.head.status === 405 && !r.head.headers.allow) return '405 without an Allow header';
  if (r.head.status === 503 && !r.head.headers['retry-after']) return '503 without Retry-After';
  if (e.closes && !r.closed) return `${got}, but the connection was left open`;
  if (e.notContaining?.test(r.text)) return `response contains ${e.notContaining}: ${JSON.stringify(r.text.slice(0, 300))}`;
  if (e.responses !== undefined) {
    if (r.heads.length < e.responses) return `${r.heads.length} of ${e.responses} responses`;
    const bad = r.heads.find((h) => !e.status?.includes(h.status));
    if (bad) return `a pipelined response was ${bad.statusLine}`;
  }
  return null;
}

describe('malformed and hostile requests', () => {
  let sim: SimChild;
  let watcher: RawSseClient;
  let before0: SimState;
  let frames0 = 0;
  const results = new Map<string, RawResult>();

  before(async () => {
    sim = await startSim({ maxClients: 16 });
    watcher = await RawSseClient.open(sim.port);
    await watcher.waitFrames(1, 5000);
    before0 = await sim.state();
    frames0 = watcher.frames.filter((f) => f.data !== undefined).length;
    const margin = 5000;
    await Promise.all(
      CASES.map(async (c) => {
        const deadlineMs =
          c.waitsFor === 'headers'
            ? DEFAULT_LIMITS.headersTimeoutMs + margin
            : c.waitsFor === 'request'
              ? DEFAULT_LIMITS.requestTimeoutMs + margin
              : 3000;
        // Responses on a kept-alive connection are complete once the head is
        // here; only cases that must close wait for the close.
        const stopAfterHeads = c.expect.closes || c.expect.orClosed ? undefined : (c.expect.responses ?? 1);
        const r = await rawExchange(sim.port, c.parts, {
          deadlineMs,
          ...(c.intervalMs !== undefined ? { intervalMs: c.intervalMs } : {}),
          ...(c.fin ? { endAfterWrite: true } : {}),
          ...(stopAfterHeads !== undefined ? { stopAfterHeads } : {}),
        });
        results.set(c.name, r);
      }),
    );
  });

  test(`at least 50 cases`, () => {
    assert.ok(CASES.length >= 50, `${CASES.length} cases`);
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, 'case names are unique');
  });

  for (const c of CASES) {
    test(c.name, () => {
      const r = results.get(c.name);
      assert.ok(r, 'no result');
      const problem = verdict(r, c.expect);
      assert.equal(problem, null, `${c.name}: ${problem}\n  response: ${JSON.stringify(r.text.slice(0, 200))}`);
    });
  }

  test('no timeout closed a connection before the server limit', () => {
    // The slow cases must be closed by the server's timeouts, not sooner by a crash.
    for (const c of CASES.filter((x) => x.waitsFor)) {
      const r = results.get(c.name)!;
      const limit = c.waitsFor === 'headers' ? DEFAULT_LIMITS.headersTimeoutMs : DEFAULT_LIMITS.requestTimeoutMs;
      assert.ok(r.elapsedMs > limit * 0.8, `${c.name}: closed after ${r.elapsedMs.toFixed(0)} ms, limit ${limit} ms`);
    }
  });

  test('the LED and the event id did not move; no state frame was sent', async () => {
    const s = await sim.state();
    assert.equal(s.led, before0.led);
    assert.equal(s.id, before0.id);
    assert.equal(s.restarts, 0);
    assert.equal(watcher.frames.filter((f) => f.data !== undefined).length, frames0);
  });

  test('the SSE client kept open through all of it gets the next toggle', async () => {
    assert.ok(!watcher.closed, 'the watching SSE client was disconnected');
    const s = await sim.state();
    assert.equal(s.clients, 1, 'exactly the watching client is registered');
    assert.equal((await request(sim.port, 'PUT', '/icon', 'led')).status, 204);
    const f = await watcher.waitForLed(!s.led, 5000, s.id);
    assert.equal(Number(f.id), s.id + 1);
  });

  test('the server is alive: GET / is 200', async () => {
    assert.ok(sim.alive, `the simulator exited:\n${sim.output()}`);
    const r = await request(sim.port, 'GET', '/');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    watcher.close();
  });
});

describe('a trap in the core', () => {
  test('the host restarts the core; the LED, the clients and the next toggle survive', { timeout: 60_000 }, async () => {
    const sim = await startSim({ core: 'dist/core.debug.wasm', maxClients: 8 });
    const clients = await Promise.all([RawSseClient.open(sim.port), RawSseClient.open(sim.port)]);
    await Promise.all(clients.map((c) => c.waitFrames(1, 5000)));
    const s0 = await sim.state();
    assert.equal(s0.restarts, 0);

    // LED on first, so "survives" cannot be confused with the reset value.
    if (!s0.led) assert.equal((await request(sim.port, 'PUT', '/icon', 'led')).status, 204);
    const on = await sim.state();
    assert.equal(on.led, true);
    await Promise.all(clients.map((c) => c.waitForLed(true, 5000, s0.led ? -1 : s0.id)));

    for (let k = 1; k <= 3; k++) {
      const prev = await sim.state();
      const marks = clients.map((c) => c.frames.length);
      const r = await request(sim.port, 'POST', '/sim/trap');
      assert.equal(r.status, 204, `POST /sim/trap #${k}: ${r.status} ${r.body}`);
      const st = await pollUntil(() => sim.state(), (s) => s.restarts === k, 5000, `restart #${k}`);
      assert.equal(st.led, true, `trap #${k}: the LED did not survive`);
      assert.ok(st.id > prev.id, `trap #${k}: the restarted core continues the ids (${prev.id} -> ${st.id})`);
      assert.equal(st.clients, clients.length, `trap #${k}: clients were lost`);
      // Every client gets a resync frame: the first-frame format (retry:), current state.
      for (const [n, c] of clients.entries()) {
        await c.waitUntil(
          () => c.frames.slice(marks[n]).some((f) => f.retry !== undefined && f.data === '{"led":true}' && Number(f.id) === st.id),
          5000,
          `client ${n}: resync frame after trap #${k}`,
        );
      }
    }
    assert.match(sim.output(), /fault/i, 'the simulator logs the fault');

    const s = await sim.state();
    assert.equal((await request(sim.port, 'PUT', '/icon', 'led')).status, 204);
    for (const c of clients) {
      const f = await c.waitForLed(false, 5000, s.id);
      assert.equal(Number(f.id), s.id + 1);
      assert.ok(!c.closed);
    }
    const end = await sim.state();
    assert.deepEqual({ led: end.led, restarts: end.restarts }, { led: false, restarts: 3 });
    clients.forEach((c) => c.close());
  });

  test('the release core exports no debug_trap (the debug core does)', () => {
    const exportsOf = (file: string): string[] =>
      WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(join(ROOT, 'dist', file)))).map((e) => e.name);
    assert.ok(!exportsOf('core.wasm').includes('debug_trap'), 'dist/core.wasm exports debug_trap');
    assert.ok(exportsOf('core.debug.wasm').includes('debug_trap'), 'dist/core.debug.wasm lacks debug_trap');
  });
});

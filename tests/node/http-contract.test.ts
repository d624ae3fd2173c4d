/**
 * The HTTP contract of docs/abi.md, bad input first: every refused request
 * gets its status and leaves the LED state (and the event id) unchanged.
 * Runs the simulator in-process on a free port with dist/core.wasm.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { SimState } from '../../sim/abi.ts';
import { startSimulator, type Simulator } from '../../sim/index.ts';
import { openSse, putIcon, rawRequest, simState, type SseStream } from '../support/sim-client.ts';
import { waitFor } from '../support/wait.ts';

const MAX_CLIENTS = 3;
let sim: Simulator;
let base: string;

before(async () => {
  sim = await startSimulator({ port: 0, maxClients: MAX_CLIENTS });
  base = sim.url;
});
after(async () => {
  await sim.close();
});

/** Runs `fn` and checks that the LED and the event id did not move. */
async function unchanged(fn: () => Promise<void>): Promise<void> {
  const before: SimState = await simState(base);
  await fn();
  // The simulator runs icon_put and poll before it answers, so a body that
  // was wrongly accepted has toggled the LED by now.
  const after = await simState(base);
  assert.equal(after.led, before.led, 'LED changed');
  assert.equal(after.id, before.id, 'event id changed');
}

describe('PUT /icon', () => {
  test('a valid body toggles the LED (the control for the cases below)', async () => {
    const s0 = await simState(base);
    assert.equal(await putIcon(base, 'led'), 204);
    const s1 = await simState(base);
    assert.equal(s1.led, !s0.led);
    assert.equal(s1.id, s0.id + 1);
  });

  test('empty body: 400', async () => {
    await unchanged(async () => {
      const r = await rawRequest(base, 'PUT', '/icon', { body: '' });
      assert.equal(r.status, 400);
      assert.match(String(r.headers['content-type']), /^text\/plain/);
      assert.ok(r.body.length > 0, 'error responses carry a short text body');
    });
  });

  test('whitespace-only body: 400', async () => {
    await unchanged(async () => {
      assert.equal((await rawRequest(base, 'PUT', '/icon', { body: ' \t\r\n' })).status, 400);
    });
  });

  test('byte outside printable ASCII: 400', async () => {
    await unchanged(async () => {
      assert.equal((await rawRequest(base, 'PUT', '/icon', { body: 'l\x01ed' })).status, 400);
      assert.equal((await rawRequest(base, 'PUT', '/icon', { body: Buffer.from([0x6c, 0xe9, 0x64]) })).status, 400);
    });
  });

  test('unknown icon: 404', async () => {
    await unchanged(async () => {
      assert.equal((await rawRequest(base, 'PUT', '/icon', { body: 'lamp' })).status, 404);
      assert.equal((await rawRequest(base, 'PUT', '/icon', { body: 'LED' })).status, 404, 'matching is case-sensitive');
    });
  });

  test('body one byte over body_capacity(): 413', async () => {
    const cap = sim.core.bodyCapacity();
    assert.ok(cap > 0);
    await unchanged(async () => {
      const r = await rawRequest(base, 'PUT', '/icon', { body: 'l'.repeat(cap + 1) });
      assert.equal(r.status, 413);
    });
  });

  test('huge declared body: 413 at once, without reading it', async () => {
    await unchanged(async () => {
      // Declares 100 MB, sends only the headers: the answer must not wait for the body.
      const status = await new Promise<number>((resolve, reject) => {
        const u = new URL(base);
        const sock = connect(Number(u.port), u.hostname, () => {
          sock.write(`PUT /icon HTTP/1.1\r\nHost: ${u.host}\r\nContent-Length: 100000000\r\n\r\n`);
        });
        let got = '';
        sock.on('data', (c) => {
          got += c.toString();
          const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
          if (m) {
            resolve(Number(m[1]));
            sock.destroy();
          }
        });
        sock.on('error', reject);
        setTimeout(() => reject(new Error('no answer')), 3000).unref();
      });
      assert.equal(status, 413);
    });
  });

  test('wrong method: 405 with Allow: PUT', async () => {
    await unchanged(async () => {
      for (const m of ['GET', 'POST', 'DELETE']) {
        const r = await rawRequest(base, m, '/icon', { body: m === 'GET' ? undefined : 'led' });
        assert.equal(r.status, 405, m);
        assert.equal(r.headers.allow, 'PUT', m);
      }
    });
  });
});

describe('other routes', () => {
  test('wrong method on the page and the stream: 405 with Allow', async () => {
    await unchanged(async () => {
      const page = await rawRequest(base, 'POST', '/', { body: 'led' });
      assert.equal(page.status, 405);
      assert.match(String(page.headers.allow), /\bGET\b/);
      const stream = await rawRequest(base, 'PUT', '/demo_sse', { body: 'led' });
      assert.equal(stream.status, 405);
      assert.equal(stream.headers.allow, 'GET');
      const sw = await rawRequest(base, 'GET', '/sim/switch');
      assert.equal(sw.status, 405);
      assert.equal(sw.headers.allow, 'POST');
    });
  });

  test('unknown path: 404', async () => {
    await unchanged(async () => {
      for (const [m, p] of [
        ['GET', '/nope'],
        ['PUT', '/icon/led'],
        ['PUT', '/icons'],
        ['GET', '/sim/trap'],
      ] as const) {
        const r = await rawRequest(base, m, p, { body: m === 'PUT' ? 'led' : undefined });
        assert.equal(r.status, 404, `${m} ${p}`);
      }
    });
  });

  test('POST /sim/trap exists only with the debug core', async () => {
    assert.equal(sim.debug, false);
    assert.equal((await rawRequest(base, 'POST', '/sim/trap')).status, 404);
  });

  test('GET / serves the page, gzip when accepted', async () => {
    const plain = await rawRequest(base, 'GET', '/');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(plain.body, /data-icon="led"/);
    const gz = await new Promise<Buffer>((resolve, reject) => {
      const u = new URL('/index.html', base);
      const s = connect(Number(u.port), u.hostname, () => {
        s.write(`GET /index.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, deflate\r\nConnection: close\r\n\r\n`);
      });
      const parts: Buffer[] = [];
      s.on('data', (c: Buffer) => parts.push(c));
      s.on('end', () => resolve(Buffer.concat(parts)));
      s.on('error', reject);
    });
    const split = gz.indexOf('\r\n\r\n');
    const head = gz.subarray(0, split).toString();
    assert.match(head, /^HTTP\/1\.1 200/);
    assert.match(head, /content-encoding: gzip/i);
    assert.equal(gunzipSync(gz.subarray(split + 4)).toString(), plain.body);
  });
});

describe('POST /sim/switch', () => {
  test('bad bodies: 400, switch untouched', async () => {
    await unchanged(async () => {
      for (const body of ['', 'sideways', 'DOWN', '0']) {
        assert.equal((await rawRequest(base, 'POST', '/sim/switch', { body })).status, 400, JSON.stringify(body));
      }
      assert.equal(sim.board.pressed, false);
    });
  });

  test('each edge is stamped in /sim/state switch_edge_us, on the process clock; a repeated level is no edge', async () => {
    const us = (): number => Number(process.hrtime.bigint() / 1000n);
    const before = us();
    assert.equal((await rawRequest(base, 'POST', '/sim/switch', { body: 'down' })).status, 204);
    const pressed = (await simState(base)).switch_edge_us;
    assert.ok(pressed !== null && pressed >= before && pressed <= us(), `${pressed} within [${before}, now]`);
    assert.equal((await rawRequest(base, 'POST', '/sim/switch', { body: 'down' })).status, 204);
    assert.equal((await simState(base)).switch_edge_us, pressed, 'same level: no new edge');
    assert.equal((await rawRequest(base, 'POST', '/sim/switch', { body: 'up' })).status, 204);
    const released = (await simState(base)).switch_edge_us;
    assert.ok(released !== null && released > pressed);
  });
});

describe('GET /demo_sse', () => {
  test(`client ${MAX_CLIENTS + 1}: 503 with Retry-After, the open streams keep receiving`, async () => {
    const streams: SseStream[] = [];
    try {
      for (let i = 0; i < MAX_CLIENTS; i++) {
        const s = await openSse(base);
        assert.equal(s.status, 200);
        assert.equal(s.headers['content-type'], 'text/event-stream');
        assert.equal(s.headers['cache-control'], 'no-cache');
        streams.push(s);
      }
      // Each gets its first frame (with retry:) at once.
      for (const s of streams) await s.waitEvents(1);
      assert.deepEqual(
        streams.map((s) => s.retries.length),
        streams.map(() => 1),
      );
      assert.equal((await simState(base)).clients, MAX_CLIENTS);

      await unchanged(async () => {
        const r = await rawRequest(base, 'GET', '/demo_sse');
        assert.equal(r.status, 503);
        assert.equal(r.headers['retry-after'], '5');
      });
      assert.equal((await simState(base)).clients, MAX_CLIENTS, 'the refused client is not registered');

      const s0 = await simState(base);
      assert.equal(await putIcon(base, 'led'), 204);
      for (const s of streams) {
        const ev = await s.waitEvents(2);
        assert.equal(ev[1]?.id, String(s0.id + 1));
        assert.deepEqual(JSON.parse(ev[1]?.data ?? ''), { led: !s0.led });
      }
    } finally {
      for (const s of streams) s.close();
    }
    await waitFor('clients unregistered after close', async () => (await simState(base)).clients === 0);
  });

  test('the body is the frames themselves, as the board sends them: no length, no chunked coding', async () => {
    const port = Number(new URL(base).port);
    const socket = connect({ host: '127.0.0.1', port });
    let bytes = '';
    socket.on('data', (d: Buffer) => (bytes += d.toString('latin1')));
    socket.write(`GET /demo_sse HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    try {
      await waitFor('the head and the first frame', () => /\r\n\r\n[^]*\n\n/.test(bytes));
      const split = bytes.indexOf('\r\n\r\n');
      const head = bytes.slice(0, split).toLowerCase();
      assert.match(head, /^http\/1\.1 200/);
      assert.doesNotMatch(head, /transfer-encoding|content-length/);
      assert.match(head, /\r\nconnection: close/);
      const s0 = await simState(base);
      const first = bytes.slice(split + 4);
      assert.equal(first, `retry: 2000\nid: ${s0.id}\ndata: {"led":${s0.led}}\n\n`);
      assert.equal(await putIcon(base, 'led'), 204);
      const want = `id: ${s0.id + 1}\ndata: {"led":${!s0.led}}\n\n`;
      await waitFor('the toggle frame', () => bytes.length >= split + 4 + first.length + want.length);
      assert.equal(bytes.slice(split + 4 + first.length), want);
    } finally {
      socket.destroy();
    }
    await waitFor('client unregistered', async () => (await simState(base)).clients === 0);
  });

  test('a closed stream frees its slot at once', async () => {
    const a = await openSse(base);
    await a.waitEvents(1);
    assert.equal((await simState(base)).clients, 1);
    a.close();
    await waitFor('client unregistered', async () => (await simState(base)).clients === 0);
  });
});

describe('slow clients (slowloris)', () => {
  /** Opens a socket, writes `head`, then stays silent; resolves with what the server said and when it closed. */
  function silentClient(url: string, head: string): Promise<{ reply: string; ms: number }> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const t0 = Date.now();
      let reply = '';
      const s = connect(Number(u.port), u.hostname, () => s.write(head));
      s.on('data', (c) => (reply += c.toString()));
      s.on('close', () => resolve({ reply, ms: Date.now() - t0 }));
      s.on('error', reject);
      setTimeout(() => {
        s.destroy();
        reject(new Error('the server kept a silent connection open'));
      }, 8000).unref();
    });
  }

  test('unfinished headers or body are cut off after the configured timeouts', async () => {
    const slow = await startSimulator({ port: 0, limits: { headersTimeoutMs: 500, requestTimeoutMs: 1000 } });
    try {
      const [headers, body] = await Promise.all([
        silentClient(slow.url, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: '),
        silentClient(slow.url, 'PUT /icon HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nl'),
      ]);
      assert.ok(headers.ms < 4000, `headers: closed after ${headers.ms} ms`);
      assert.ok(body.ms < 4000, `body: closed after ${body.ms} ms`);
      assert.match(headers.reply, /^(HTTP\/1\.1 408|$)/);
      assert.match(body.reply, /^(HTTP\/1\.1 408|$)/);
      // A normal request is still served.
      assert.equal((await simState(slow.url)).led, false);
    } finally {
      await slow.close();
    }
  });
});

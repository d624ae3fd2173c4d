/**
 * Load tests against the simulator as a child process (the way it is run),
 * with raw node:net clients:
 *  - 10,000 SSE connect/abort cycles (RST after the head or after the first
 *    frame, 50 at a time): every client is unregistered, no live memory grows;
 *  - a client that never reads is dropped after a bounded buffer while the
 *    others receive every frame on time;
 *  - at the client limit a new stream gets 503 with Retry-After and the open
 *    streams are untouched.
 * Memory is read in the simulator after a full GC (--expose-gc plus a
 * preloaded IPC hook, tests/support/sim-memory-hook.ts); nothing in sim/ is
 * changed for it.
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import type { MemoryUsage } from '../support/load-sim.ts';
import { agentRequest, RawSseClient, request } from '../support/raw-http.ts';
import { simStarter } from '../support/sim-children.ts';
import { pollUntil } from '../support/wait.ts';

const startSim = simStarter();

const MiB = 1024 * 1024;
const fmt = (m: MemoryUsage): string =>
  `heapUsed ${(m.heapUsed / MiB).toFixed(2)} MiB, rss ${(m.rss / MiB).toFixed(1)} MiB, heapTotal ${(m.heapTotal / MiB).toFixed(1)} MiB`;

describe('SSE connection churn', () => {
  const TOTAL = 10_000;
  const WARMUP = 2_000;
  const CONCURRENCY = 50;
  // Live JS heap after a full GC may move by a few hundred KiB between two
  // quiet points (inline caches, compiled code, string tables); measured on
  // this simulator: < 0.5 MiB over 25,000 cycles, with no trend. Anything
  // kept per connection (a socket, request or response object, a registry
  // entry with its closures) is several hundred bytes to a few KiB, i.e.
  // > 2 MiB over the 8,000 measured cycles. Hence 1 MiB.
  const HEAP_SLACK = 1 * MiB;
  // Outside the V8 heap (rss - heapTotal: native socket state, buffers,
  // malloc arenas). A leaked 16 KiB read buffer per connection would be
  // 125 MiB over 8,000 cycles; allocator noise measured here stays < 8 MiB.
  const NATIVE_SLACK = 16 * MiB;

  test(`${TOTAL} connect/abort cycles: clients back to 0, no memory growth`, { timeout: 120_000 }, async () => {
    const sim = await startSim({ maxClients: CONCURRENCY * 2 });
    let non200 = 0;
    let lastBad = '';
    let next = 0;
    const cycle = async (i: number): Promise<void> => {
      const c = await RawSseClient.open(sim.port, { timeoutMs: 10_000 });
      if (c.head?.status !== 200) {
        non200++;
        lastBad = `${c.head?.statusLine} ${c.body}`;
      } else if (i % 2 === 0) {
        await c.waitFrames(1, 10_000); // reset mid-stream, after the first frame
      } // else: reset right after the response head
      c.reset();
    };
    const run = async (upTo: number): Promise<void> => {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < upTo) await cycle(next++);
        }),
      );
    };
    const settle = async (what: string): Promise<MemoryUsage> => {
      await pollUntil(() => sim.state(), (s) => s.clients === 0, 10_000, `${what}: clients back to 0`);
      return sim.memory();
    };

    const t0 = performance.now();
    await run(WARMUP);
    const m1 = await settle(`after ${WARMUP} cycles`);
    await run(TOTAL);
    const m2 = await settle(`after ${TOTAL} cycles`);
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const state = await sim.state();
    const diag = `\n  after ${WARMUP}: ${fmt(m1)}\n  after ${TOTAL}: ${fmt(m2)}\n  ${seconds} s`;
    process.stdout.write(`churn: ${TOTAL} cycles in ${seconds} s; ${diag.trim().replace(/\n\s*/g, '; ')}\n`);

    assert.equal(next, TOTAL);
    assert.equal(non200, 0, `${non200} of ${TOTAL} streams were refused, last: ${lastBad}`);
    assert.equal(state.clients, 0);
    assert.equal(state.dropped, 0, 'the core dropped events (open/close backlog)');
    assert.ok(m1.gcRan && m2.gcRan, 'memory must be read after a full GC');
    assert.ok(m2.heapUsed - m1.heapUsed < HEAP_SLACK, `live heap grew by ${m2.heapUsed - m1.heapUsed} bytes${diag}`);
    const native = (m: MemoryUsage): number => m.rss - m.heapTotal;
    assert.ok(native(m2) - native(m1) < NATIVE_SLACK, `memory outside the V8 heap grew by ${native(m2) - native(m1)} bytes${diag}`);

    // Still serving: a new stream gets its first frame and the next toggle.
    const c = await RawSseClient.open(sim.port);
    await c.waitFrames(1, 5000);
    const id = Number(c.lastState()?.id);
    const led = c.lastState()?.data?.includes('true') === true;
    assert.equal((await request(sim.port, 'PUT', '/icon', 'led')).status, 204);
    await c.waitForLed(!led, 5000, id);
    c.close();
  });
});

describe('a client that never reads', () => {
  // The simulator drops a client once its unsent output passes maxBuffered
  // (64 KiB); before that the kernel buffers of both ends absorb ~1-2 MB on
  // loopback, i.e. tens of thousands of ~30-byte frames.
  const MAX_TOGGLES = 200_000;
  const MAX_SECONDS = 60;
  const CONCURRENCY = 4;
  // "On time": every frame reaches the healthy clients within this long after
  // the PUT that caused it was answered.
  const ON_TIME_MS = 1000;

  test('is dropped after a bounded buffer; the others get every frame on time', { timeout: 120_000 }, async () => {
    const sim = await startSim({ maxClients: 8, verbose: true });
    const healthy = await Promise.all([RawSseClient.open(sim.port), RawSseClient.open(sim.port)]);
    await Promise.all(healthy.map((c) => c.waitFrames(1, 5000)));
    const stuck = await RawSseClient.open(sim.port, { paused: true });
    await pollUntil(() => sim.state(), (s) => s.clients === 3, 5000, 'three clients registered');
    const firstId = (await sim.state()).id;

    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const answeredAt: number[] = []; // answeredAt[k]: when the (k+1)-th 204 arrived
    let toggles = 0;
    let dropped = false;
    const t0 = performance.now();
    try {
      while (!dropped && toggles < MAX_TOGGLES && performance.now() - t0 < MAX_SECONDS * 1000) {
        for (let i = 0; i < 250; i++) {
          const codes = await Promise.all(
            Array.from({ length: CONCURRENCY }, () =>
              agentRequest(agent, sim.port, 'PUT', '/icon', 'led').then((code) => {
                answeredAt.push(performance.now());
                return code;
              }),
            ),
          );
          assert.deepEqual(codes, Array(CONCURRENCY).fill(204), 'every PUT /icon is accepted');
          toggles += CONCURRENCY;
        }
        dropped = (await sim.state()).clients === 2;
      }
    } finally {
      agent.destroy();
    }
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    process.stdout.write(`stuck client: dropped=${dropped} after ${toggles} toggles in ${seconds} s\n`);
    assert.ok(dropped, `the stuck client is still registered after ${toggles} toggles (${seconds} s)`);
    // The reason is in the simulator's log (it may reach our pipe a moment later).
    await pollUntil(() => sim.output(), (out) => /send buffer over \d+ bytes/.test(out), 5000, 'the simulator logs why it dropped the client');

    const lastId = firstId + toggles;
    await Promise.all(healthy.map((c) => c.waitUntil(() => Number(c.lastState()?.id) >= lastId, 10_000, `frame id ${lastId}`)));
    for (const [n, c] of healthy.entries()) {
      assert.ok(!c.closed, `healthy client ${n} was disconnected`);
      const ids = c.frames.filter((f) => f.data !== undefined).map((f) => Number(f.id));
      const after = ids.filter((id) => id > firstId);
      assert.equal(after.length, toggles, `healthy client ${n} got ${after.length} of ${toggles} frames`);
      after.forEach((id, k) => assert.equal(id, firstId + k + 1, `healthy client ${n}: frame ${k} out of order`));
      // The k-th answer proves at least k toggles were broadcast before it.
      const arrival = new Map<number, number>();
      for (const f of c.frames) if (f.data !== undefined) arrival.set(Number(f.id), f.at);
      let worst = -Infinity;
      answeredAt.forEach((at, k) => {
        worst = Math.max(worst, arrival.get(firstId + k + 1)! - at);
      });
      process.stdout.write(`healthy client ${n}: worst frame lateness ${worst.toFixed(1)} ms\n`);
      assert.ok(worst < ON_TIME_MS, `healthy client ${n}: a frame arrived ${worst.toFixed(0)} ms after its PUT was answered`);
    }

    // After the drop the others still get the next toggle.
    const s = await sim.state();
    assert.equal((await request(sim.port, 'PUT', '/icon', 'led')).status, 204);
    await Promise.all(healthy.map((c) => c.waitForLed(!s.led, 5000, s.id)));
    stuck.reset();
    healthy.forEach((c) => c.close());
  });
});

describe('client limit', () => {
  const MAX = 5;

  test(`at --max-clients ${MAX}: 503 with Retry-After, open streams unaffected`, { timeout: 60_000 }, async () => {
    const sim = await startSim({ maxClients: MAX });
    const open = await Promise.all(Array.from({ length: MAX }, () => RawSseClient.open(sim.port)));
    await Promise.all(open.map((c) => c.waitFrames(1, 5000)));
    await pollUntil(() => sim.state(), (s) => s.clients === MAX, 5000, `${MAX} clients`);

    for (let i = 0; i < 3; i++) {
      const extra = await RawSseClient.open(sim.port);
      assert.equal(extra.head?.status, 503, `stream ${MAX + 1 + i}: ${extra.head?.statusLine}`);
      assert.equal(extra.head?.headers['retry-after'], '5');
      assert.equal(extra.frames.length, 0, 'a refused stream gets no frame');
      extra.close();
    }
    assert.equal((await sim.state()).clients, MAX);

    const s = await sim.state();
    assert.equal((await request(sim.port, 'PUT', '/icon', 'led')).status, 204);
    await Promise.all(open.map((c) => c.waitForLed(!s.led, 5000, s.id)));
    assert.ok(open.every((c) => !c.closed), 'an open stream was closed');

    // A freed slot is usable again.
    open.pop()!.close();
    await pollUntil(() => sim.state(), (st) => st.clients === MAX - 1, 5000, 'the closed stream is unregistered');
    const again = await RawSseClient.open(sim.port);
    assert.equal(again.head?.status, 200);
    await again.waitFrames(1, 5000);
    again.close();
    open.forEach((c) => c.close());
  });
});

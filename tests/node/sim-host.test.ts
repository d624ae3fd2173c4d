/**
 * The simulator's host side on its own: imports checked against memory,
 * fault recovery per docs/abi.md "Faults", and the SSE registry's bounded
 * buffers. A tiny hand-written core (WAT, assembled with binaryen) misbehaves
 * on request; the fault test at the end runs the real dist/core.debug.wasm.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import binaryen from 'binaryen';
import { EVENT_CLIENT_OPEN, EVENT_REFRESH, PUT_OK } from '../../sim/abi.ts';
import { Clients } from '../../sim/clients.ts';
import { CoreHost, type FrameSink } from '../../sim/core-host.ts';
import { startSimulator } from '../../sim/index.ts';
import { openSse, putIcon, rawRequest, simState } from '../support/sim-client.ts';
import { delay, waitFor } from '../support/wait.ts';

/**
 * A fake core. post_event(kind, arg):
 *   kind 2 (open)      sse_send(arg, "id: <n>\n\n")
 *   kind 4 arg 1       broadcast a frame that ends past the memory
 *   kind 4 arg 2       sse_send with a negative (huge unsigned) pointer
 *   kind 4 arg 3       unreachable (a trap)
 *   kind 4 arg 4       toggle: id += 1, led_set(!led, id)
 * init(led, first_id, ...) stores both; event_id() returns id.
 * icon_put returns the body's first byte | (the byte past the capacity << 8).
 */
const FAKE_CORE = `(module
  (import "host" "led_set" (func $led_set (param i32 i32)))
  (import "host" "sse_send" (func $sse_send (param i32 i32 i32) (result i32)))
  (import "host" "sse_broadcast" (func $sse_broadcast (param i32 i32)))
  (memory (export "memory") 1 1)
  (global $led (mut i32) (i32.const 0))
  (global $id (mut i32) (i32.const 0))
  (global $inits (mut i32) (i32.const 0))
  (data (i32.const 16) "frame\\n\\n")
  (func (export "init") (param i32 i32 i32 i32 i32) (result i32)
    (global.set $led (local.get 0))
    (global.set $id (local.get 1))
    (global.set $inits (i32.add (global.get $inits) (i32.const 1)))
    (call $led_set (local.get 0) (local.get 1))
    (i32.const 0))
  (func (export "post_event") (param $k i32) (param $a i32) (param $t i32) (result i32)
    (if (i32.eq (local.get $k) (i32.const 2))
      (then (drop (call $sse_send (local.get $a) (i32.const 16) (i32.const 7)))))
    (if (i32.eq (local.get $k) (i32.const 4))
      (then
        (if (i32.eq (local.get $a) (i32.const 1))
          (then (call $sse_broadcast (i32.const 65530) (i32.const 7))))
        (if (i32.eq (local.get $a) (i32.const 2))
          (then (drop (call $sse_send (i32.const 0) (i32.const -16) (i32.const 7)))))
        (if (i32.eq (local.get $a) (i32.const 3))
          (then (unreachable)))
        (if (i32.eq (local.get $a) (i32.const 4))
          (then
            (global.set $led (i32.xor (global.get $led) (i32.const 1)))
            (global.set $id (i32.add (global.get $id) (i32.const 1)))
            (call $led_set (global.get $led) (global.get $id))))))
    (i32.const 0))
  (func (export "abi_version") (result i32) (i32.const 2))
  (func (export "poll") (param i32) (result i32) (i32.const -1))
  (func (export "body_ptr") (result i32) (i32.const 1024))
  (func (export "body_capacity") (result i32) (i32.const 32))
  (func (export "icon_put") (param i32) (result i32)
    ;; first body byte | byte just past the capacity << 8
    (i32.or (i32.load8_u (i32.const 1024)) (i32.shl (i32.load8_u (i32.const 1056)) (i32.const 8))))
  (func (export "led_state") (result i32) (global.get $led))
  (func (export "event_id") (result i32) (global.get $id))
  (func (export "dropped_events") (result i32) (global.get $inits))
  (func (export "queue_length") (result i32) (i32.const 0))
)`;

function fakeModule(): WebAssembly.Module {
  const m = binaryen.parseText(FAKE_CORE);
  assert.ok(m.validate(), 'fake core is valid');
  const bytes = new Uint8Array(m.emitBinary());
  m.dispose();
  return new WebAssembly.Module(bytes);
}

class RecordingSink implements FrameSink {
  clients = new Set<number>([5, 9]);
  sent: Array<[number | 'all', string]> = [];
  send(client: number, frame: Uint8Array): boolean {
    if (!this.clients.has(client)) return false;
    this.sent.push([client, Buffer.from(frame).toString()]);
    return true;
  }
  broadcast(frame: Uint8Array): void {
    this.sent.push(['all', Buffer.from(frame).toString()]);
  }
  ids(): number[] {
    return [...this.clients];
  }
}

function fakeHost(): { host: CoreHost; sink: RecordingSink; logs: string[]; leds: boolean[] } {
  const sink = new RecordingSink();
  const logs: string[] = [];
  const leds: boolean[] = [];
  const host = new CoreHost(fakeModule(), {
    debounceMs: 30,
    keepaliveMs: 0,
    sink,
    now: () => 0,
    log: (l) => logs.push(l),
    onLed: (on) => leds.push(on),
  });
  return { host, sink, logs, leds };
}

describe('core host imports', () => {
  test('sse_send hands the exact frame bytes to the client', () => {
    const { host, sink } = fakeHost();
    assert.equal(host.post(EVENT_CLIENT_OPEN, 5), 0);
    assert.deepEqual(sink.sent, [[5, 'frame\n\n']]);
    assert.equal(host.restarts, 0);
  });

  for (const [arg, what] of [
    [1, 'a frame running past the end of memory'],
    [2, 'a negative pointer'],
    [3, 'a trap'],
  ] as const) {
    test(`${what} is a fault: restart with the last LED, last id + 1, every client reopened`, () => {
      const { host, sink, logs, leds } = fakeHost();
      host.post(EVENT_REFRESH, 4); // toggle: LED on, id 1
      host.post(EVENT_REFRESH, 4); // toggle: LED off, id 2
      host.post(EVENT_REFRESH, 4); // toggle: LED on, id 3
      assert.deepEqual(leds, [true, false, true]);
      assert.deepEqual(host.state(), { led: true, id: 3, dropped: 1, queued: 0 });

      assert.equal(host.post(EVENT_REFRESH, arg), undefined, 'a faulting call returns undefined');
      assert.equal(host.restarts, 1);
      assert.match(logs.join('\n'), /fault/);
      // The new instance was initialised once (dropped_events() reports the
      // fake's init count: 1 per fresh instance) with led 1 and id 3 + 1.
      assert.deepEqual(host.state(), { led: true, id: 4, dropped: 1, queued: 0 });
      assert.deepEqual(leds, [true, false, true], 'the LED did not blink across the restart');
      // Every registered client got EVENT_CLIENT_OPEN again.
      assert.deepEqual(
        sink.sent.filter(([c]) => c !== 'all').map(([c]) => c).sort(),
        [5, 9],
      );
      // And the core still works.
      host.post(EVENT_REFRESH, 4);
      assert.deepEqual(host.state(), { led: false, id: 5, dropped: 1, queued: 0 });
    });
  }

  test('an icon body is copied to body_ptr, truncated to body_capacity', () => {
    const { host } = fakeHost();
    assert.equal(host.bodyCapacity(), 32);
    assert.equal(host.iconPut(Buffer.from('led'), 3), 'l'.charCodeAt(0));
    assert.equal(host.iconPut(Buffer.from('z'.repeat(40)), 40), 'z'.charCodeAt(0), 'nothing written past body_capacity');
  });
});

/** The socket under an event stream: the registry writes frames to it (sim/clients.ts); records writes, buffered bytes settable. */
class FakeSocket extends EventEmitter {
  written: string[] = [];
  writableLength = 0;
  writable = true;
  destroyed = false;
  write(b: Uint8Array): boolean {
    this.written.push(Buffer.from(b).toString());
    return true;
  }
}

/** A stand-in for an SSE ServerResponse. */
class FakeResponse extends EventEmitter {
  destroyed = false;
  readonly socket = new FakeSocket();
  get written(): string[] {
    return this.socket.written;
  }
  destroy(): void {
    this.destroyed = true;
    this.socket.destroyed = true;
    this.socket.writable = false;
    this.emit('close');
  }
}

describe('event-driven core host (dist/core.wasm)', () => {
  // Compiled once; every test makes its own instance of it.
  const releaseModule = new WebAssembly.Module(readFileSync(new URL('../../dist/core.wasm', import.meta.url)));
  const realHost = (debounceMs: number, keepaliveMs: number): { host: CoreHost; leds: boolean[] } => {
    const leds: boolean[] = [];
    const t0 = performance.now();
    const host = new CoreHost(releaseModule, {
      debounceMs,
      keepaliveMs,
      sink: new RecordingSink(),
      now: () => Math.floor(performance.now() - t0),
      log: () => {},
      onLed: (on) => leds.push(on),
    });
    return { host, leds };
  };

  test('an idle core is never called', async () => {
    const { host } = realHost(30, 0);
    const before = host.exportCalls;
    await delay(200);
    assert.equal(host.exportCalls, before, 'no export call while nothing happens');
    host.stop();
  });

  test('a press and release costs 6 export calls: post_event + poll per edge, one poll per deadline', async () => {
    const { host, leds } = realHost(40, 0);
    const before = host.exportCalls;
    host.switchEdge(0);
    assert.equal(host.exportCalls - before, 2, 'edge: post_event + poll');
    await delay(90); // past the 40 ms window: the deadline poll accepted the press
    assert.equal(host.exportCalls - before, 3);
    assert.deepEqual(leds, [], 'a press alone toggles nothing');
    const released = performance.now();
    host.switchEdge(1);
    await waitFor('the toggle at the release deadline', () => leds.length === 1, 2000);
    assert.ok(performance.now() - released >= 39, 'not before the window has passed');
    await delay(60);
    assert.equal(host.exportCalls - before, 6, 'and nothing after it');
    assert.deepEqual(leds, [true]);
    host.stop();
  });

  test('the LED observer (the terminal line) hears of a toggle only after its frame went out', () => {
    const order: string[] = [];
    const sink = new RecordingSink();
    const broadcast = sink.broadcast.bind(sink);
    sink.broadcast = (frame) => {
      order.push('frame');
      broadcast(frame);
    };
    const host = new CoreHost(releaseModule, {
      debounceMs: 30,
      keepaliveMs: 0,
      sink,
      now: () => 0,
      log: () => {},
      onLed: (on) => order.push(`led ${on}`),
    });
    assert.equal(host.iconPut(Buffer.from('led'), 3), PUT_OK);
    assert.deepEqual(order, ['frame', 'led true']);
    host.stop();
  });

  test('a bouncing release is judged once, at the deadline after its last edge', async () => {
    const { host, leds } = realHost(40, 0);
    host.switchEdge(0);
    await delay(80);
    for (let i = 0; i < 10; i++) host.switchEdge(i % 2 === 0 ? 1 : 0); // ends released
    host.switchEdge(1);
    await waitFor('the toggle', () => leds.length === 1, 2000);
    await delay(80);
    assert.deepEqual(leds, [true], 'exactly one toggle');
    host.stop();
  });

  test('a core built for another ABI version is refused', () => {
    const m = binaryen.parseText(FAKE_CORE.replace('(func (export "abi_version") (result i32) (i32.const 2))',
      '(func (export "abi_version") (result i32) (i32.const 1))'));
    const other = new WebAssembly.Module(new Uint8Array(m.emitBinary()));
    m.dispose();
    assert.throws(() => new CoreHost(other, {
      debounceMs: 30, keepaliveMs: 0, sink: new RecordingSink(), now: () => 0, log: () => {},
    }), /implements ABI 1, this simulator ABI 2/);
  });
});

describe('SSE client registry', () => {
  test('a client whose unsent output passes the bound is dropped, the others still get every frame', () => {
    const closed: Array<[number, string]> = [];
    const clients = new Clients({ max: 4, maxBuffered: 100, onClose: (id, why) => closed.push([id, why]) });
    const stuck = new FakeResponse();
    const fine = new FakeResponse();
    const a = clients.add(stuck as unknown as ServerResponse)!;
    const b = clients.add(fine as unknown as ServerResponse)!;
    clients.broadcast(Buffer.from('one\n\n'));
    stuck.socket.writableLength = 101; // the reader stopped reading
    clients.broadcast(Buffer.from('two\n\n'));
    clients.broadcast(Buffer.from('three\n\n'));
    assert.deepEqual(fine.written, ['one\n\n', 'two\n\n', 'three\n\n']);
    assert.equal(stuck.destroyed, true);
    assert.deepEqual(clients.ids(), [b]);
    assert.deepEqual(closed.map(([id]) => id), [a]);
    assert.equal(clients.send(a, Buffer.from('x')), false, 'a dropped client is unknown');
  });

  test('a closed connection is unregistered once, and the limit frees up', () => {
    const closed: number[] = [];
    const clients = new Clients({ max: 1, maxBuffered: 100, onClose: (id) => closed.push(id) });
    const r = new FakeResponse();
    const id = clients.add(r as unknown as ServerResponse)!;
    assert.equal(clients.add(new FakeResponse() as unknown as ServerResponse), null, 'full');
    r.emit('close');
    r.socket.emit('close');
    assert.deepEqual(closed, [id]);
    assert.equal(clients.size, 0);
    assert.notEqual(clients.add(new FakeResponse() as unknown as ServerResponse), null);
  });
});

describe('a stuck reader on the real server', () => {
  test('is dropped once its unsent output passes the bound; a reading client gets every frame', async () => {
    const sim = await startSimulator({ port: 0, maxBuffered: 16 * 1024 });
    const u = new URL(sim.url);
    const open = (): Promise<import('node:net').Socket> =>
      new Promise((resolve, reject) => {
        const s = connect(Number(u.port), u.hostname, () => {
          s.write(`GET /demo_sse HTTP/1.1\r\nHost: x\r\n\r\n`);
          resolve(s);
        });
        s.on('error', reject);
      });
    const stuck = await open();
    const good = await open();
    let got = '';
    good.setEncoding('latin1');
    good.on('data', (c: string) => (got = (got + c).slice(-256)));
    await waitFor('both streams registered', () => sim.state().clients === 2);
    stuck.pause(); // stops reading: the kernel buffers fill, then Node's
    let stuckClosed = false;
    stuck.on('close', () => (stuckClosed = true));
    try {
      // Broadcast refresh frames in small batches (Node corks a response
      // within one tick, so a batch must stay well under the bound), letting
      // the reading client read in between, until the stuck one is dropped
      // (bounded: ~80 MB at most).
      for (let batch = 0; batch < 20000 && sim.state().clients === 2; batch++) {
        for (let i = 0; i < 100; i++) sim.core.post(EVENT_REFRESH, -1);
        await new Promise((r) => setImmediate(r));
      }
      assert.equal(sim.state().clients, 1, 'the stuck reader was dropped');
      // A toggle after the flood: a new id the reading client must get.
      assert.equal(sim.core.iconPut(Buffer.from('led'), 3), 0);
      const { id, led } = sim.state();
      assert.equal(led, true);
      const last = `id: ${id}\ndata: {"led":true}\n\n`;
      await waitFor('the reading client to get the toggle', () => got.includes(last));
      await waitFor('the stuck socket to be closed', () => stuckClosed || stuck.destroyed || (stuck.resume(), false), 5000);
    } finally {
      stuck.destroy();
      good.destroy();
      await sim.close();
    }
  });
});

describe('fault recovery with dist/core.debug.wasm', () => {
  test('POST /sim/trap: the core restarts, the LED and the streams survive', async () => {
    const sim = await startSimulator({ port: 0, corePath: new URL('../../dist/core.debug.wasm', import.meta.url).pathname });
    try {
      assert.equal(sim.debug, true, 'dist/core.debug.wasm exports debug_trap');
      const base = sim.url;
      const a = await openSse(base);
      const b = await openSse(base);
      await a.waitEvents(1);
      await b.waitEvents(1);
      assert.equal(await putIcon(base, 'led'), 204);
      const s0 = await simState(base);
      assert.equal(s0.led, true);

      assert.equal((await rawRequest(base, 'POST', '/sim/trap')).status, 204);
      const s1 = await simState(base);
      assert.deepEqual(
        { led: s1.led, clients: s1.clients, restarts: s1.restarts, id: s1.id },
        { led: true, clients: 2, restarts: 1, id: s0.id + 1 },
      );
      // Every stream is resynchronised with a first frame (retry: again).
      for (const s of [a, b]) {
        const ev = await s.waitEvents(3);
        assert.equal(ev[2]?.id, String(s0.id + 1));
        assert.deepEqual(JSON.parse(ev[2]?.data ?? ''), { led: true });
        await waitFor('retry: on the resync frame', () => s.retries.length === 2);
      }
      // The restarted core serves on.
      assert.equal(await putIcon(base, 'led'), 204);
      assert.equal((await simState(base)).led, false);
      a.close();
      b.close();
    } finally {
      await sim.close();
    }
  });
});

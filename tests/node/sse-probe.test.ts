/**
 * bench/sse-probe.c, the latency bench's clients: it must find every state
 * frame in a chunked or a raw stream however the bytes are split, stamp it
 * on the clock the bench reads (process.hrtime), and say why when a server
 * refuses it.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { buildProbe, Probe } from '../../bench/sse-latency.ts';
import { startSimulator, type Simulator } from '../../sim/index.ts';
import { putIcon, simState } from '../support/sim-client.ts';

let exe: string;
before(() => {
  exe = buildProbe();
});

/** A server whose /demo_sse stream is written by `stream` (chunked: Node's default). */
async function chunkedServer(stream: (res: ServerResponse) => void): Promise<{ server: Server; port: number; responses: ServerResponse[] }> {
  const responses: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.socket.setNoDelay(true);
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    responses.push(res);
    stream(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, responses };
}

describe('sse-probe', () => {
  test('chunked streams, frames split across chunks and packets: ids found, stamps on the process clock', async () => {
    const { server, port, responses } = await chunkedServer((res) => res.write('retry: 1000\nid: 7\ndata: {}\n\n'));
    const probe = await Probe.open(exe, port, 3);
    try {
      assert.equal(probe.lastId, 7);
      const t0 = process.hrtime.bigint();
      for (const res of responses) {
        res.write(': keepalive\n\n'); // a comment: not a state frame
        res.write('id: 8\nda');
        await delay(5); // a separate packet: the frame is complete only now
        res.write('ta: {"led":true}\n');
        res.write('\n');
      }
      const times = await probe.nextFrame();
      const t1 = process.hrtime.bigint();
      assert.equal(probe.lastId, 8);
      assert.equal(times.length, 3);
      for (const t of times) assert.ok(t >= t0 && t <= t1, `stamp ${t} within [${t0}, ${t1}]`);
      // The last packet of each frame left 5 ms after the previous client's.
      assert.ok(times[2]! - times[0]! >= 9_000_000n, 'each client stamped when its own frame completed');
    } finally {
      probe.close();
      server.closeAllConnections();
      server.close();
    }
  });

  test('a refusal is reported with its status line', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(503, { 'Retry-After': '5' });
      res.end('too many event-stream clients\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await assert.rejects(Probe.open(exe, (server.address() as AddressInfo).port, 1), /error client 0: HTTP\/1\.1 503/);
    } finally {
      server.close();
    }
  });

  describe('against the simulator (raw streams)', () => {
    let sim: Simulator;
    before(async () => {
      sim = await startSimulator({ port: 0, maxClients: 8 });
    });
    after(async () => {
      await sim.close();
    });

    test('every client gets the toggle: the id the simulator reports', async () => {
      const probe = await Probe.open(exe, sim.port, 5);
      try {
        const s0 = await simState(sim.url);
        assert.equal(probe.lastId, s0.id);
        const t0 = process.hrtime.bigint();
        assert.equal(await putIcon(sim.url, 'led'), 204);
        const times = await probe.nextFrame();
        assert.equal(probe.lastId, s0.id + 1);
        assert.equal(times.length, 5);
        for (const t of times) assert.ok(t >= t0 && t <= process.hrtime.bigint());
      } finally {
        probe.close();
      }
    });
  });
});

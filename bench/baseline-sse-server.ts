/**
 * The smallest reasonable SSE broadcast server on plain node:http, used as the
 * yardstick for the simulator's end-to-end latency and memory per client:
 * a Set of open responses, GET /demo_sse registers one (headers, first frame
 * with retry:), POST /broadcast toggles a boolean and writes one frame to
 * every response, GET /state answers {"clients":n}. No core, no queue, no
 * debounce, no per-client buffer limit. Its streams are framed and written
 * like the simulator's (no length, no chunked coding, frames straight onto
 * the socket), so the two differ by the core and its host, not by framing.
 *
 *   node --import tsx bench/baseline-sse-server.ts [--port N]
 *
 * Prints "baseline SSE server listening on http://127.0.0.1:<port>/".
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });

const clients = new Set<ServerResponse>();
let led = false;
let id = 0;
const frame = (first: boolean): string => `${first ? 'retry: 2000\n' : ''}id: ${id}\ndata: {"led":${led}}\n\n`;

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?', 1)[0];
  if (req.method === 'GET' && path === '/demo_sse') {
    req.socket.setNoDelay(true);
    res.removeHeader('Transfer-Encoding');
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'close' });
    res.flushHeaders();
    res.socket?.write(frame(true));
    clients.add(res);
    res.once('close', () => clients.delete(res));
    return;
  }
  if (req.method === 'POST' && path === '/broadcast') {
    req.resume();
    req.once('end', () => {
      led = !led;
      id++;
      const f = frame(false);
      for (const c of clients) c.socket?.write(f);
      res.writeHead(204);
      res.end();
    });
    return;
  }
  if (req.method === 'GET' && path === '/state') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ clients: clients.size, led, id }));
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('not found\n');
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`baseline SSE server listening on http://127.0.0.1:${port}/\n`);
});

const quit = (): void => {
  for (const c of clients) c.destroy();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', quit);
process.on('SIGINT', quit);

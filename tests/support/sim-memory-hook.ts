/**
 * Preloaded into a simulator child process (node --expose-gc --import tsx
 * --import tests/support/sim-memory-hook.ts sim/main.ts ...) by
 * tests/support/load-sim.ts. It changes nothing in the simulator; on an IPC
 * message {type: 'memory', seq} it runs a full garbage collection (when
 * --expose-gc is given) and answers with process.memoryUsage(), so leak checks
 * compare live heap instead of whatever the collector happened to leave.
 */
interface MemoryRequest {
  type: 'memory';
  seq: number;
  gc?: boolean;
}

const isRequest = (m: unknown): m is MemoryRequest =>
  typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'memory';

if (typeof process.send === 'function') {
  process.on('message', (m: unknown) => {
    if (!isRequest(m)) return;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (m.gc !== false && gc) {
      gc();
      gc();
    }
    process.send?.({ type: 'memory', seq: m.seq, gcRan: Boolean(gc && m.gc !== false), ...process.memoryUsage() });
  });
  // The IPC channel must not keep the simulator alive on its own.
  process.channel?.unref();
}

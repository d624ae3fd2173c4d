/**
 * The SSE client registry: open /demo_sse responses by client id. Writes never
 * block: a client whose unsent output grows past `maxBuffered` bytes (a stuck
 * reader) is dropped, so it cannot delay the others. A closed or broken
 * connection is unregistered at once and reported through `onClose`.
 *
 * Frames go straight onto the socket, as the board sends them: the response
 * head has no length and no chunked coding (sim/http.ts), so the stream's
 * bytes are the frames, and each write leaves at once instead of waiting for
 * Node's end-of-tick uncork, which would hold every client until the last.
 */
import type { ServerResponse } from 'node:http';
import type { FrameSink } from './core-host.ts';

export interface ClientsOptions {
  /** Most SSE clients at once; more get 503. */
  max: number;
  /** Bytes of unsent output after which a client is dropped. */
  maxBuffered: number;
  /** A client left the registry (closed, broken or dropped). */
  onClose(id: number, reason: string): void;
}

export class Clients implements FrameSink {
  private readonly map = new Map<number, ServerResponse>();
  private nextId = 0;
  private readonly opts: ClientsOptions;

  constructor(opts: ClientsOptions) {
    this.opts = opts;
  }

  get size(): number {
    return this.map.size;
  }

  get full(): boolean {
    return this.map.size >= this.opts.max;
  }

  /** Registers an open event-stream response; returns its id, or null when full. */
  add(res: ServerResponse): number | null {
    if (this.full) return null;
    let id = this.nextId;
    while (this.map.has(id)) id = (id + 1) & 0x7fffffff;
    this.nextId = (id + 1) & 0x7fffffff;
    this.map.set(id, res);
    // Not req 'close': Node emits that once the request itself has been read.
    const gone = (): void => this.remove(id, 'closed');
    res.once('close', gone);
    res.socket?.once('close', gone);
    res.socket?.once('error', (e: Error) => this.drop(id, `socket error: ${e.message}`));
    return id;
  }

  has(id: number): boolean {
    return this.map.has(id);
  }

  ids(): number[] {
    return [...this.map.keys()];
  }

  send(id: number, frame: Uint8Array): boolean {
    const res = this.map.get(id);
    if (!res) return false;
    const socket = res.socket;
    if (res.destroyed || !socket || socket.destroyed || !socket.writable) {
      this.drop(id, 'connection gone');
      return false;
    }
    socket.write(frame);
    if (socket.writableLength > this.opts.maxBuffered) {
      this.drop(id, `send buffer over ${this.opts.maxBuffered} bytes`);
      return false;
    }
    return true;
  }

  broadcast(frame: Uint8Array): void {
    // A Map may lose entries while it is iterated (send drops stuck clients).
    for (const id of this.map.keys()) this.send(id, frame);
  }

  /** Unregisters and closes a client. */
  drop(id: number, reason: string): void {
    const res = this.map.get(id);
    if (!res) return;
    this.remove(id, reason);
    res.destroy();
  }

  /** Closes every stream (shutdown). */
  closeAll(): void {
    for (const id of this.ids()) this.drop(id, 'shutdown');
  }

  private remove(id: number, reason: string): void {
    if (!this.map.delete(id)) return;
    this.opts.onClose(id, reason);
  }
}

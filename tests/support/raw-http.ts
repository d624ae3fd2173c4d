/**
 * HTTP and SSE over plain node:net sockets, for load, fault and latency work
 * where a real HTTP client would refuse to send malformed bytes or would hide
 * timing: every byte goes out as given, every response byte is seen.
 *
 * - RawSseClient: GET /demo_sse, parses the response head, de-chunks the body
 *   (Node answers event streams with Transfer-Encoding: chunked) and splits
 *   SSE frames, stamping each with performance.now() of the chunk it arrived in.
 * - rawExchange: sends arbitrary bytes (optionally trickled) and collects
 *   whatever comes back until the peer closes or a deadline passes.
 * - request: an ordinary well-formed request (node:http, no agent reuse).
 * - agentRequest: a request on a kept-alive agent, stamped right before it is written.
 *
 * All traffic goes to 127.0.0.1.
 */
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export const HOST = '127.0.0.1';

export interface SseFrame {
  /** Field values as sent (last one wins), undefined when absent. */
  id?: string;
  data?: string;
  retry?: string;
  event?: string;
  /** Comment lines (": keepalive"), without the colon. */
  comments: string[];
  /** The frame's bytes, without the blank line that ends it. */
  raw: string;
  /** performance.now() when the chunk completing this frame arrived. */
  at: number;
}

export interface ResponseHead {
  status: number;
  statusLine: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
}

/** Parses "HTTP/1.1 200 OK\r\nName: v\r\n..." (the part before the blank line). */
export function parseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const statusLine = lines[0] ?? '';
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(statusLine);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: m ? Number(m[1]) : 0, statusLine, headers };
}

/** Incremental Transfer-Encoding: chunked decoder. */
export class ChunkedDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private remaining = -1; // bytes left in the current chunk; -1 = expecting a size line
  private needCrlf = false;
  ended = false;
  error: string | null = null;

  /** Feeds bytes; returns the payload bytes they completed. */
  push(chunk: Buffer): Buffer {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    for (;;) {
      if (this.ended || this.error) break;
      if (this.needCrlf) {
        if (this.buf.length < 2) break;
        if (this.buf[0] !== 0x0d || this.buf[1] !== 0x0a) {
          this.error = 'missing CRLF after chunk';
          break;
        }
        this.buf = this.buf.subarray(2);
        this.needCrlf = false;
      }
      if (this.remaining < 0) {
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) break;
        const sizeText = this.buf.subarray(0, eol).toString('latin1').split(';')[0]!.trim();
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) {
          this.error = `bad chunk size "${sizeText}"`;
          break;
        }
        this.remaining = parseInt(sizeText, 16);
        this.buf = this.buf.subarray(eol + 2);
        if (this.remaining === 0) {
          this.ended = true;
          break;
        }
      }
      if (this.buf.length === 0) break;
      const take = Math.min(this.remaining, this.buf.length);
      out.push(this.buf.subarray(0, take));
      this.buf = this.buf.subarray(take);
      this.remaining -= take;
      if (this.remaining === 0) {
        this.remaining = -1;
        this.needCrlf = true;
      }
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }
}

/** Splits an SSE byte stream into frames (lines end with \n, \r\n or \r). */
export class SseSplitter {
  private text = '';

  push(payload: string, at: number): SseFrame[] {
    this.text += payload;
    const frames: SseFrame[] = [];
    for (;;) {
      const m = /\r\n\r\n|\n\n|\r\r/.exec(this.text);
      if (!m) break;
      const raw = this.text.slice(0, m.index);
      this.text = this.text.slice(m.index + m[0].length);
      frames.push(parseFrame(raw, at));
    }
    return frames;
  }

  get pending(): string {
    return this.text;
  }
}

function parseFrame(raw: string, at: number): SseFrame {
  const frame: SseFrame = { comments: [], raw, at };
  for (const line of raw.split(/\r\n|\n|\r/)) {
    if (line.startsWith(':')) {
      frame.comments.push(line.slice(1).trim());
      continue;
    }
    const i = line.indexOf(':');
    const name = i < 0 ? line : line.slice(0, i);
    let value = i < 0 ? '' : line.slice(i + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
    else if (name === 'id' || name === 'retry' || name === 'event') frame[name] = value;
  }
  return frame;
}

export interface SseClientOptions {
  path?: string;
  /** Extra request header lines. */
  headers?: Record<string, string>;
  /** Stop reading right after connecting (a stuck client): nothing is parsed. */
  paused?: boolean;
  /** Called for each frame as it is parsed. */
  onFrame?: (frame: SseFrame, client: RawSseClient) => void;
  /** Give up connecting / waiting for the head after this long. Default 5000. */
  timeoutMs?: number;
}

export class RawSseClient {
  readonly socket: Socket;
  head: ResponseHead | null = null;
  /** Performance.now() when the response head was complete. */
  headAt = 0;
  /** Body bytes (de-chunked) of a non-200 answer, or the stream so far. */
  body = '';
  readonly frames: SseFrame[] = [];
  closed = false;
  error: Error | null = null;
  private headBuf: Buffer = Buffer.alloc(0);
  private decoder: ChunkedDecoder | null = null;
  private readonly splitter = new SseSplitter();
  private waiters = new Set<() => void>();
  private readonly onFrame: SseClientOptions['onFrame'];
  private keepBody: boolean;

  private constructor(socket: Socket, onFrame: SseClientOptions['onFrame']) {
    this.socket = socket;
    this.onFrame = onFrame;
    this.keepBody = true;
  }

  /**
   * Connects and sends GET <path>. Resolves when the response head arrived
   * (or, for `paused`, as soon as the request is written). Rejects on timeout.
   */
  static open(port: number, options: SseClientOptions = {}): Promise<RawSseClient> {
    const path = options.path ?? '/demo_sse';
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const socket = connect({ host: HOST, port });
      const client = new RawSseClient(socket, options.onFrame);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`GET ${path}: no response head within ${timeoutMs} ms`));
      }, timeoutMs);
      const extra = Object.entries(options.headers ?? {})
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.once('connect', () => {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nAccept: text/event-stream\r\n${extra}\r\n`);
        if (options.paused) {
          socket.pause();
          clearTimeout(timer);
          resolve(client);
        }
      });
      socket.on('error', (e) => {
        client.error = e;
        clearTimeout(timer);
        reject(e);
      });
      socket.on('close', () => {
        client.closed = true;
        clearTimeout(timer);
        client.wake();
        if (!client.head && !options.paused) reject(new Error(`GET ${path}: closed before a response head`));
      });
      if (options.paused) return;
      socket.on('data', (chunk: Buffer) => {
        const hadHead = client.head !== null;
        client.feed(chunk, performance.now());
        if (!hadHead && client.head) {
          clearTimeout(timer);
          resolve(client);
        }
      });
    });
  }

  private feed(chunk: Buffer, at: number): void {
    let rest = chunk;
    if (!this.head) {
      this.headBuf = this.headBuf.length ? Buffer.concat([this.headBuf, chunk]) : chunk;
      const end = this.headBuf.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.head = parseHead(this.headBuf.subarray(0, end).toString('latin1'));
      this.headAt = at;
      rest = this.headBuf.subarray(end + 4);
      this.headBuf = Buffer.alloc(0);
      if (/chunked/i.test(this.head.headers['transfer-encoding'] ?? '')) this.decoder = new ChunkedDecoder();
      this.keepBody = this.head.status !== 200;
    }
    const payload = this.decoder ? this.decoder.push(rest) : rest;
    if (payload.length === 0) return;
    const text = payload.toString('utf8');
    if (this.keepBody) this.body += text;
    if (this.head.status !== 200) return;
    for (const frame of this.splitter.push(text, at)) {
      this.frames.push(frame);
      this.onFrame?.(frame, this);
    }
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Waits until `pred` holds (checked on every frame / close), or rejects after timeoutMs. */
  waitUntil(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (pred()) {
          done();
          resolve();
        } else if (this.closed && !pred()) {
          done();
          reject(new Error(`${what}: connection closed (${this.frames.length} frames)`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${what}: not within ${timeoutMs} ms (${this.frames.length} frames, last ${JSON.stringify(this.frames.at(-1)?.raw)})`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** Waits for a frame whose data contains `"led":<on>` and whose id is > afterId (if given). */
  async waitForLed(on: boolean, timeoutMs: number, afterId = -1): Promise<SseFrame> {
    const find = (): SseFrame | undefined =>
      this.frames.find((f) => f.data?.includes(`"led":${on}`) && Number(f.id ?? -1) > afterId);
    await this.waitUntil(() => find() !== undefined, timeoutMs, `frame with led ${on} after id ${afterId}`);
    return find()!;
  }

  /** Waits until at least `n` frames arrived. */
  waitFrames(n: number, timeoutMs: number): Promise<void> {
    return this.waitUntil(() => this.frames.length >= n, timeoutMs, `${n} frames`);
  }

  /** Waits until the server closes the connection. */
  waitClosed(timeoutMs: number): Promise<void> {
    return this.waitUntil(() => this.closed, timeoutMs, 'server closes the stream');
  }

  /** Last frame carrying state (a data: line). */
  lastState(): SseFrame | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) if (this.frames[i]!.data !== undefined) return this.frames[i];
    return undefined;
  }

  /** Graceful close (FIN). */
  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  /** Abortive close (RST). */
  reset(): void {
    this.socket.resetAndDestroy();
  }
}

export interface RawResult {
  /** Everything received, as latin1. */
  text: string;
  head: ResponseHead | null;
  /** The server closed (or reset) the connection before the deadline. */
  closed: boolean;
  /** The connection ended with an error (ECONNRESET, EPIPE...). */
  error: string | null;
  /** ms from connect to close (or to the deadline). */
  elapsedMs: number;
  /** All response heads found (pipelined requests). */
  heads: ResponseHead[];
}

export interface RawOptions {
  /** Stop waiting after this long (the result then has closed: false). */
  deadlineMs?: number;
  /** Send each element of `parts` this many ms after the previous one. */
  intervalMs?: number;
  /** Half-close (FIN) after the last part. Default false. */
  endAfterWrite?: boolean;
  /** Resolve as soon as this many response heads (and their bodies' start) arrived, without waiting for close. */
  stopAfterHeads?: number;
}

/** Sends raw bytes and collects the answer until the server closes or the deadline passes. */
export function rawExchange(port: number, parts: Array<string | Buffer>, options: RawOptions = {}): Promise<RawResult> {
  const deadlineMs = options.deadlineMs ?? 3000;
  const t0 = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    const chunks: Buffer[] = [];
    let error: string | null = null;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      const text = Buffer.concat(chunks).toString('latin1');
      const heads: ResponseHead[] = [];
      const re = /HTTP\/1\.[01] \d{3}[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n/g;
      for (const m of text.matchAll(re)) heads.push(parseHead(m[0].slice(0, -4)));
      socket.destroy();
      resolve({ text, head: heads[0] ?? null, closed, error, elapsedMs: performance.now() - t0, heads });
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (options.stopAfterHeads !== undefined) {
        const text = Buffer.concat(chunks).toString('latin1');
        const n = (text.match(/HTTP\/1\.[01] \d{3}[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n/g) ?? []).length;
        if (n >= options.stopAfterHeads) finish(false);
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => finish(true));
    timers.push(setTimeout(() => finish(false), deadlineMs));
    socket.once('connect', () => {
      const interval = options.intervalMs ?? 0;
      parts.forEach((p, i) => {
        const send = (): void => {
          if (socket.destroyed || settled) return;
          socket.write(p);
          if (i === parts.length - 1 && options.endAfterWrite) socket.end();
        };
        if (interval === 0) send();
        else timers.push(setTimeout(send, i * interval));
      });
    });
  });
}

export interface SimpleResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A well-formed request with node:http (fresh connection each time). */
export function request(
  port: number,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
  timeoutMs = 5000,
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: HOST, port, method, path, headers: { Connection: 'close', ...headers }, agent: false, timeout: timeoutMs },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * One request on `agent`'s kept-alive connection; resolves with the status.
 * `beforeWrite` runs right before the bytes go out (a latency measurement's t0).
 */
export function agentRequest(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  body: string,
  beforeWrite: () => void = () => {},
  timeoutMs = 5000,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { 'Content-Length': String(Buffer.byteLength(body)) };
    const req = httpRequest({ host: HOST, port, method, path, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    beforeWrite();
    req.end(body);
  });
}

/** Percentile (nearest-rank) of an ascending-sorted array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

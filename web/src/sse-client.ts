/**
 * The state stream: an EventSource on the board's SSE route.
 *
 * The browser reconnects on its own after a dropped stream (waiting the
 * server's `retry:`), and the board sends the current state as the first frame
 * of every connection. An EventSource that the browser gave up on (the server
 * answered 503 because it has too many clients, or the page was not an event
 * stream) is CLOSED for good; this module then opens a new one after a delay.
 */

export type Conn = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface BoardState {
  led: boolean;
}

export interface StreamHandlers {
  /** A valid state frame; `id` is the frame's SSE id ("" if none). */
  state(s: BoardState, id: string): void;
  conn(c: Conn): void;
}

export interface Stream {
  close(): void;
}

/** Parses a frame's data; null if it is not a state. */
export function parseState(data: string): BoardState | null {
  try {
    const v: unknown = JSON.parse(data);
    if (typeof v === 'object' && v !== null && typeof (v as { led?: unknown }).led === 'boolean') {
      return { led: (v as BoardState).led };
    }
  } catch {
    /* not JSON: ignored */
  }
  return null;
}

export function openStream(url: string, on: StreamHandlers, reopenMs = 5000): Stream {
  let es: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const reopen = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (!closed && (!es || es.readyState === EventSource.CLOSED)) connect();
  };

  function connect(): void {
    const first = es === null;
    const src = new EventSource(url);
    es = src;
    on.conn(first ? 'connecting' : 'reconnecting');
    src.onopen = () => on.conn('live');
    src.onmessage = (e: MessageEvent<string>) => {
      const s = parseState(e.data);
      if (s) {
        on.conn('live');
        on.state(s, e.lastEventId);
      }
    };
    src.onerror = () => {
      if (src !== es) return;
      if (src.readyState === EventSource.CLOSED) {
        on.conn('offline');
        clearTimeout(timer);
        timer = setTimeout(reopen, reopenMs);
      } else {
        on.conn('reconnecting');
      }
    };
  }

  // Back on the network or back in the foreground: try at once.
  addEventListener('online', reopen);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') reopen();
  });
  connect();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      es?.close();
    },
  };
}

/** Text for a connection state. */
export function connText(c: Conn): string {
  switch (c) {
    case 'connecting':
      return 'Connecting…';
    case 'live':
      return 'Live';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'offline':
      return 'Offline: retrying in a few seconds';
  }
}

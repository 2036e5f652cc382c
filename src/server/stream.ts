// Live updates: server-sent events that carry the store's revision whenever it moves, polled
// while anyone listens.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '../sinks/store/index.js';

export interface RevisionStream {
  /** Answers GET /api/stream: the current revision at once, then every change. */
  open(req: IncomingMessage, res: ServerResponse): void;
  close(): void;
}

export function revisionStream(store: Store, pollMs: number): RevisionStream {
  const streams = new Set<ServerResponse>();
  let lastRev = -1;
  let quiet = 0;
  const timer = setInterval(() => {
    if (streams.size === 0) return;
    let rev: number;
    try {
      rev = store.revision();
    } catch {
      return;
    }
    // Proxies close idle streams; a comment line every ~15 s keeps them open.
    let msg: string | undefined;
    if (rev !== lastRev) msg = `event: rev\ndata: ${rev}\n\n`;
    else if (++quiet * pollMs >= 15_000) msg = `: keepalive\n\n`;
    if (!msg) return;
    quiet = 0;
    lastRev = rev;
    for (const s of streams) s.write(msg);
  }, pollMs);
  return {
    open(req, res) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`event: rev\ndata: ${store.revision()}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
    },
    close() {
      clearInterval(timer);
      for (const s of streams) s.end();
      streams.clear();
    },
  };
}

// NATS: each alert published on a subject (`stowaway.alerts.<level>` by default), for
// fan-out to whatever subscribes. Publishing is buffered by the client across reconnects;
// until the first connection succeeds alerts wait in a bounded queue while connecting is
// retried with backoff. Reconnects, connect retries and errors are counted.
import { textOf } from '../model/values.js';
import type { NatsConnection } from 'nats';
import type { Alert } from '../model/alert.js';
import { formatAlert } from './formats.js';
import { emptyStats, type AlertFormat, type Output } from './types.js';

export interface NatsOptions {
  servers: string | string[];
  /** Subject prefix; the alert's level is appended (`stowaway.alerts.high`). */
  subject?: string;
  format?: AlertFormat;
  maxQueue?: number;
  token?: string;
  user?: string;
  pass?: string;
}

export function createNatsOutput(opts: NatsOptions): Output & { ready: Promise<boolean> } {
  const format = opts.format ?? 'alert';
  const prefix = opts.subject ?? 'stowaway.alerts';
  const maxQueue = opts.maxQueue ?? 10_000;
  const s = emptyStats();
  const pending: Alert[] = [];
  let nc: NatsConnection | undefined;
  let closed = false;

  const publish = (conn: NatsConnection, a: Alert): void => {
    try {
      conn.publish(`${prefix}.${a.level}`, JSON.stringify(formatAlert(a, format)));
      s.sent++;
    } catch (e) {
      s.failed++;
      s.last_error = (e as Error).message;
    }
  };

  let timer: NodeJS.Timeout | undefined;
  // The client does not keep what is published while it is disconnected; we hold it until the reconnect.
  let up = false;
  let attempt = 0;

  async function connectOnce(): Promise<boolean> {
    try {
      // Loaded when first used: most runs have no NATS output, and the client takes a tenth of a second to load.
      const { connect } = await import('nats');
      const conn = await connect({ servers: opts.servers, name: 'stowaway', maxReconnectAttempts: -1, token: opts.token, user: opts.user, pass: opts.pass });
      if (closed) {
        await conn.close();
        return false;
      }
      nc = conn;
      up = true;
      void (async () => {
        for await (const st of conn.status()) {
          const type: string = st.type;
          if (type === 'disconnect' || type === 'error') s.last_error = `${type}: ${textOf(st.data)}`;
          if (type === 'disconnect') up = false;
          if (type === 'reconnect') {
            s.retries++;
            up = true;
            while (pending.length) publish(conn, pending.shift()!);
            s.queued = 0;
          }
        }
      })();
      while (pending.length) publish(conn, pending.shift()!);
      s.queued = 0;
      return true;
    } catch (e) {
      s.last_error = (e as Error).message;
      return false;
    }
  }

  // The server may come up after stowaway: keep trying in the background, alerts wait in the bounded queue.
  function retryLater(): void {
    if (closed) return;
    timer = setTimeout(
      () => {
        s.retries++;
        void connectOnce().then((ok) => ok || retryLater());
      },
      Math.min(30_000, 500 * 2 ** attempt++),
    );
  }

  /** Resolves with the outcome of the first attempt; later attempts continue either way. */
  const ready = connectOnce().then((ok) => {
    if (!ok) retryLater();
    return ok;
  });

  return {
    name: `nats:${prefix}`,
    ready,
    send(a: Alert) {
      if (closed) return;
      if (nc && up) {
        publish(nc, a);
        return;
      }
      if (pending.length >= maxQueue) {
        s.dropped++;
        return;
      }
      pending.push(a);
      s.queued = pending.length;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await ready;
      if ((!nc || !up) && pending.length) {
        s.failed += pending.length;
        pending.length = 0;
        s.queued = 0;
      }
      if (nc) {
        try {
          // Draining waits for the server; without one, closing is all there is to do.
          await (up ? nc.drain() : nc.close());
        } catch (e) {
          s.last_error = (e as Error).message;
        }
      }
    },
    stats: () => ({ ...s }),
  };
}

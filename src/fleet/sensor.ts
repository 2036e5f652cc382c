// A sensor: this host's normalized events published to the events stream, one subject per
// partition, host and source, each with a message id the stream deduplicates on. While NATS
// cannot be reached (or has not answered yet) events go to the disk spool; when it answers
// again the spool is delivered oldest first, and only when it is empty do new events go
// straight out again, so the order a source produced is the order the stream keeps.
import type { NatsConnection, JetStreamClient } from 'nats';
import type { StowawayEvent } from '../model/event.js';
import { errorMessage } from '../model/errors.js';
import { ensureFleet, fleetConnect, type FleetConnectOptions } from './nats.js';
import { Spool, type SpoolRecord, type SpoolStats } from './spool.js';
import { endSubject, eventSubject, partitionKey, partitionOf } from './subjects.js';

export interface SensorOptions extends FleetConnectOptions {
  host: string;
  partitions: number;
  spoolDir: string;
  spoolMaxBytes: number;
  /** Publishes awaiting the stream's acknowledgement at once. */
  maxInflight?: number;
  /** How long a publish waits for the stream before the sensor spools instead. */
  publishTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface SensorStats {
  /** Events handed to the sensor. */
  events: number;
  /** Acknowledged by the stream (a repeat the stream dropped counts once here, as `duplicates`). */
  acked: number;
  duplicates: number;
  inflight: number;
  publish_errors: number;
  connected: boolean;
  spool: SpoolStats;
}

export interface Sensor {
  /** Publishes one event under its id (`event.id`, else a sensor sequence). Never throws. */
  publish(ev: StowawayEvent, source: string): void;
  /** Marks the end of input on every partition (what a replay's flush does). */
  end(): void;
  /** Resolves when connected, or after `timeoutMs` (events are spooled until then). */
  connected(timeoutMs: number): Promise<boolean>;
  /** Resolves when the in-memory backlog is small again (a file reader waits on it). */
  ready(): Promise<void>;
  /** Resolves when every event so far is acknowledged by the stream (spool included). */
  settled(): Promise<void>;
  stats(): SensorStats;
  close(): Promise<void>;
}

interface Pending {
  rec: SpoolRecord;
}

export function createSensor(o: SensorOptions): Sensor {
  const log = o.log ?? (() => undefined);
  const maxInflight = o.maxInflight ?? 2000;
  const timeout = o.publishTimeoutMs ?? 5000;
  const spool = new Spool({ dir: o.spoolDir, maxBytes: o.spoolMaxBytes });
  const boot = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  let seq = 0;
  let nc: NatsConnection | undefined;
  let js: JetStreamClient | undefined;
  let up = false;
  let closed = false;
  let draining = false;
  // Events not yet acknowledged, oldest first; when a publish fails they go to the spool in this order.
  const inflight = new Map<string, Pending>();
  // Waiting for a free publish slot while the connection is up.
  const queue: SpoolRecord[] = [];
  const st = { events: 0, acked: 0, duplicates: 0, publish_errors: 0 };
  let settledWaiters: Array<() => void> = [];
  let lastDropLog = 0;

  const isSettled = (): boolean => inflight.size === 0 && queue.length === 0 && spool.empty;
  const checkSettled = (): void => {
    if (!isSettled()) return;
    const w = settledWaiters;
    settledWaiters = [];
    for (const f of w) f();
  };

  const toSpool = (r: SpoolRecord): void => {
    if (!spool.append(r)) {
      const now = Date.now();
      if (now - lastDropLog > 5000) {
        lastDropLog = now;
        log(`sensor: spool full (${o.spoolMaxBytes} bytes): ${spool.st.dropped} events dropped so far`);
      }
    }
  };

  // Down: everything not acknowledged goes to disk in order, then the queue.
  const goDown = (why: string): void => {
    if (!up) return;
    up = false;
    log(`sensor: NATS unreachable (${why}); spooling to ${o.spoolDir}`);
    for (const p of inflight.values()) toSpool(p.rec);
    inflight.clear();
    for (const r of queue.splice(0)) toSpool(r);
  };

  let readyWaiters: Array<() => void> = [];
  const pump = (): void => {
    while (up && js && inflight.size < maxInflight && queue.length > 0) send(queue.shift()!);
    if (queue.length < maxInflight && readyWaiters.length) {
      const w = readyWaiters;
      readyWaiters = [];
      for (const f of w) f();
    }
  };

  const send = (r: SpoolRecord): void => {
    const p: Pending = { rec: r };
    inflight.set(r.id, p);
    js!
      .publish(r.subject, r.data, { msgID: r.id, timeout })
      .then((ack) => {
        if (inflight.get(r.id) !== p) return; // already spooled after a failure; the spool sends it again
        inflight.delete(r.id);
        st.acked++;
        if (ack.duplicate) st.duplicates++;
        pump();
        checkSettled();
      })
      .catch((e: unknown) => {
        if (inflight.get(r.id) !== p) return;
        st.publish_errors++;
        goDown(errorMessage(e));
        void drainLater();
      });
  };

  const emit = (r: SpoolRecord): void => {
    st.events++;
    if (up && !draining && spool.empty) {
      if (inflight.size < maxInflight && queue.length === 0) send(r);
      else queue.push(r);
    } else toSpool(r);
  };

  // One batch of spooled records, each acknowledged, before the next: order survives.
  const sendBatch = async (batch: SpoolRecord[]): Promise<void> => {
    if (!js || !up) throw new Error('NATS down');
    const acks = await Promise.all(batch.map((r) => js!.publish(r.subject, r.data, { msgID: r.id, timeout })));
    for (const a of acks) {
      st.acked++;
      if (a.duplicate) st.duplicates++;
    }
  };

  let drainTimer: NodeJS.Timeout | undefined;
  const drainLater = async (): Promise<void> => {
    if (draining || closed) return;
    draining = true;
    try {
      for (;;) {
        if (closed) return;
        if (up && js) {
          try {
            const n = await spool.drain(sendBatch, 500);
            if (n > 0) log(`sensor: delivered ${n} spooled events`);
            if (spool.empty) break;
          } catch (e) {
            st.publish_errors++;
            up = false;
            log(`sensor: delivering the spool failed (${errorMessage(e)}); retrying`);
          }
        }
        await new Promise<void>((res) => {
          drainTimer = setTimeout(res, 500);
        });
        // Up again when the server answers a round trip.
        if (nc && !nc.isClosed())
          up = await nc.flush().then(
            () => true,
            () => false,
          );
      }
    } finally {
      draining = false;
    }
    pump();
    checkSettled();
  };

  void (async () => {
    for (let attempt = 0; !closed; attempt++) {
      try {
        nc = await fleetConnect(o, { name: `stowaway-sensor-${o.host}`, waitOnFirstConnect: true });
        const objs = await ensureFleet(nc);
        js = objs.js;
        up = true;
        log(`sensor: connected to ${nc.getServer()}`);
        const conn = nc;
        void (async () => {
          for await (const s of conn.status()) {
            const type: string = s.type;
            if (type === 'disconnect') goDown('disconnected');
            if (type === 'reconnect') void drainLater();
          }
        })();
        void drainLater();
        return;
      } catch (e) {
        if (attempt === 0) log(`sensor: cannot reach NATS yet (${errorMessage(e)}); spooling`);
        await nc?.close().catch(() => undefined);
        nc = undefined;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  })();

  return {
    publish(ev, source) {
      try {
        ev.event ??= {};
        ev.event.id ??= `${o.host}:${boot}:${++seq}`;
        const p = partitionOf(partitionKey(ev), o.partitions);
        emit({ subject: eventSubject(p, o.host, source), id: ev.event.id, data: JSON.stringify(ev) });
      } catch (e) {
        st.publish_errors++;
        log(`sensor: event not published: ${errorMessage(e)}`);
      }
    },
    end() {
      for (let p = 0; p < o.partitions; p++) emit({ subject: endSubject(p), id: `end:${o.host}:${boot}:${p}`, data: '{}' });
      st.events -= o.partitions;
    },
    async connected(timeoutMs) {
      const end = Date.now() + timeoutMs;
      while (!up && Date.now() < end && !closed) await new Promise((r) => setTimeout(r, 50));
      return up;
    },
    ready() {
      // Spooling is bounded by the spool, not memory: only the queue waits for the stream.
      if (queue.length < maxInflight || !up) return Promise.resolve();
      return new Promise((res) => readyWaiters.push(res));
    },
    settled() {
      if (isSettled()) return Promise.resolve();
      return new Promise((res) => settledWaiters.push(res));
    },
    stats: () => ({ ...st, inflight: inflight.size, connected: up, spool: { ...spool.st } }),
    async close() {
      closed = true;
      if (drainTimer) clearTimeout(drainTimer);
      // What is still not acknowledged is kept on disk for the next run.
      for (const p of inflight.values()) toSpool(p.rec);
      inflight.clear();
      for (const r of queue.splice(0)) toSpool(r);
      spool.close();
      await nc?.drain().catch(() => undefined);
    },
  };
}

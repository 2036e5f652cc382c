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

/** Everything a sensor holds; the functions below each own one concern of it. */
interface SensorState {
  o: SensorOptions;
  log: (line: string) => void;
  maxInflight: number;
  timeout: number;
  spool: Spool;
  nc: NatsConnection | undefined;
  js: JetStreamClient | undefined;
  /** The server answered and nothing failed since. */
  up: boolean;
  closed: boolean;
  /** The spool is being delivered: new events queue behind it. */
  draining: boolean;
  drainTimer: NodeJS.Timeout | undefined;
  // Events not yet acknowledged, oldest first; when a publish fails they go to the spool in this order.
  inflight: Map<string, Pending>;
  // Waiting for a free publish slot while the connection is up.
  queue: SpoolRecord[];
  st: { events: number; acked: number; duplicates: number; publish_errors: number };
  settledWaiters: Array<() => void>;
  readyWaiters: Array<() => void>;
  lastDropLog: number;
}

// ---- waiters ----

const isSettled = (s: SensorState): boolean => s.inflight.size === 0 && s.queue.length === 0 && s.spool.empty;

function checkSettled(s: SensorState): void {
  if (!isSettled(s)) return;
  const w = s.settledWaiters;
  s.settledWaiters = [];
  for (const f of w) f();
}

// ---- the spool ----

function toSpool(s: SensorState, r: SpoolRecord): void {
  if (s.spool.append(r)) return;
  const now = Date.now();
  if (now - s.lastDropLog > 5000) {
    s.lastDropLog = now;
    s.log(`sensor: spool full (${s.o.spoolMaxBytes} bytes): ${s.spool.st.dropped} events dropped so far`);
  }
}

/** Everything not acknowledged goes to disk in order, then the queue. */
function spoolAllPending(s: SensorState): void {
  for (const p of s.inflight.values()) toSpool(s, p.rec);
  s.inflight.clear();
  for (const r of s.queue.splice(0)) toSpool(s, r);
}

/** One batch of spooled records, each acknowledged, before the next: order survives. */
async function sendBatch(s: SensorState, batch: SpoolRecord[]): Promise<void> {
  const js = s.js;
  if (!js || !s.up) throw new Error('NATS down');
  const acks = await Promise.all(batch.map((r) => js.publish(r.subject, r.data, { msgID: r.id, timeout: s.timeout })));
  for (const a of acks) {
    s.st.acked++;
    if (a.duplicate) s.st.duplicates++;
  }
}

/** Delivers the spool oldest first whenever the server answers; new events go straight out only once it is empty. */
async function drainSpool(s: SensorState): Promise<void> {
  if (s.draining || s.closed) return;
  s.draining = true;
  try {
    for (;;) {
      if (s.closed) return;
      if (s.up && s.js) {
        try {
          const n = await s.spool.drain((b) => sendBatch(s, b), 500);
          if (n > 0) s.log(`sensor: delivered ${n} spooled events`);
          if (s.spool.empty) break;
        } catch (e) {
          s.st.publish_errors++;
          s.up = false;
          s.log(`sensor: delivering the spool failed (${errorMessage(e)}); retrying`);
        }
      }
      await new Promise<void>((res) => {
        s.drainTimer = setTimeout(res, 500);
      });
      // Up again when the server answers a round trip.
      if (s.nc && !s.nc.isClosed())
        s.up = await s.nc.flush().then(
          () => true,
          () => false,
        );
    }
  } finally {
    s.draining = false;
  }
  pump(s);
  checkSettled(s);
}

// ---- the publish loop ----

function pump(s: SensorState): void {
  while (s.up && s.js && s.inflight.size < s.maxInflight && s.queue.length > 0) send(s, s.queue.shift()!);
  if (s.queue.length < s.maxInflight && s.readyWaiters.length) {
    const w = s.readyWaiters;
    s.readyWaiters = [];
    for (const f of w) f();
  }
}

function send(s: SensorState, r: SpoolRecord): void {
  const p: Pending = { rec: r };
  s.inflight.set(r.id, p);
  s.js!.publish(r.subject, r.data, { msgID: r.id, timeout: s.timeout })
    .then((ack) => {
      if (s.inflight.get(r.id) !== p) return; // already spooled after a failure; the spool sends it again
      s.inflight.delete(r.id);
      s.st.acked++;
      if (ack.duplicate) s.st.duplicates++;
      pump(s);
      checkSettled(s);
    })
    .catch((e: unknown) => {
      if (s.inflight.get(r.id) !== p) return;
      s.st.publish_errors++;
      goDown(s, errorMessage(e));
      void drainSpool(s);
    });
}

/** A new record: straight out while up and nothing is spooled, else behind the spool. */
function emit(s: SensorState, r: SpoolRecord): void {
  s.st.events++;
  if (s.up && !s.draining && s.spool.empty) {
    if (s.inflight.size < s.maxInflight && s.queue.length === 0) send(s, r);
    else s.queue.push(r);
  } else toSpool(s, r);
}

// ---- connection state ----

function goDown(s: SensorState, why: string): void {
  if (!s.up) return;
  s.up = false;
  s.log(`sensor: NATS unreachable (${why}); spooling to ${s.o.spoolDir}`);
  spoolAllPending(s);
}

/** Connects (retrying until closed), then follows the connection's status: down spools, back delivers the spool. */
async function connectLoop(s: SensorState): Promise<void> {
  for (let attempt = 0; !s.closed; attempt++) {
    try {
      s.nc = await fleetConnect(s.o, { name: `stowaway-sensor-${s.o.host}`, waitOnFirstConnect: true });
      const objs = await ensureFleet(s.nc);
      s.js = objs.js;
      s.up = true;
      s.log(`sensor: connected to ${s.nc.getServer()}`);
      const conn = s.nc;
      void (async () => {
        for await (const st of conn.status()) {
          const type: string = st.type;
          if (type === 'disconnect') goDown(s, 'disconnected');
          if (type === 'reconnect') void drainSpool(s);
        }
      })();
      void drainSpool(s);
      return;
    } catch (e) {
      if (attempt === 0) s.log(`sensor: cannot reach NATS yet (${errorMessage(e)}); spooling`);
      await s.nc?.close().catch(() => undefined);
      s.nc = undefined;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export function createSensor(o: SensorOptions): Sensor {
  const s: SensorState = {
    o,
    log: o.log ?? (() => undefined),
    maxInflight: o.maxInflight ?? 2000,
    timeout: o.publishTimeoutMs ?? 5000,
    spool: new Spool({ dir: o.spoolDir, maxBytes: o.spoolMaxBytes }),
    nc: undefined,
    js: undefined,
    up: false,
    closed: false,
    draining: false,
    drainTimer: undefined,
    inflight: new Map(),
    queue: [],
    st: { events: 0, acked: 0, duplicates: 0, publish_errors: 0 },
    settledWaiters: [],
    readyWaiters: [],
    lastDropLog: 0,
  };
  const boot = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  let seq = 0;
  void connectLoop(s);

  return {
    publish(ev, source) {
      try {
        ev.event ??= {};
        ev.event.id ??= `${o.host}:${boot}:${++seq}`;
        const p = partitionOf(partitionKey(ev), o.partitions);
        emit(s, { subject: eventSubject(p, o.host, source), id: ev.event.id, data: JSON.stringify(ev) });
      } catch (e) {
        s.st.publish_errors++;
        s.log(`sensor: event not published: ${errorMessage(e)}`);
      }
    },
    end() {
      for (let p = 0; p < o.partitions; p++) emit(s, { subject: endSubject(p), id: `end:${o.host}:${boot}:${p}`, data: '{}' });
      s.st.events -= o.partitions;
    },
    async connected(timeoutMs) {
      const end = Date.now() + timeoutMs;
      while (!s.up && Date.now() < end && !s.closed) await new Promise((r) => setTimeout(r, 50));
      return s.up;
    },
    ready() {
      // Spooling is bounded by the spool, not memory: only the queue waits for the stream.
      if (s.queue.length < s.maxInflight || !s.up) return Promise.resolve();
      return new Promise((res) => s.readyWaiters.push(res));
    },
    settled() {
      if (isSettled(s)) return Promise.resolve();
      return new Promise((res) => s.settledWaiters.push(res));
    },
    stats: () => ({ ...s.st, inflight: s.inflight.size, connected: s.up, spool: { ...s.spool.st } }),
    async close() {
      s.closed = true;
      if (s.drainTimer) clearTimeout(s.drainTimer);
      // What is still not acknowledged is kept on disk for the next run.
      spoolAllPending(s);
      s.spool.close();
      await s.nc?.drain().catch(() => undefined);
    },
  };
}

// The store side of a fleet: findings from every worker, read from the findings stream with a
// durable consumer, through the one alert pipeline (exceptions, dedup, rate limit) into the
// SQLite store the page serves. A finding is acknowledged only after the store committed it;
// one delivered twice (a worker replayed it, or this process died before acknowledging) is
// recognised by its id and dropped. Dead letters are counted per reason for the page and /metrics.
import { AckPolicy, DeliverPolicy, type JsMsg, type NatsConnection } from 'nats';
import type { Finding } from '../model/alert.js';
import { errorMessage } from '../model/errors.js';
import type { AlertPipeline } from '../alerts/pipeline.js';
import type { Store } from '../sinks/store/index.js';
import { ensureFleet, fleetConnect, type FleetConnectOptions } from './nats.js';
import type { FindingMessage } from './partition.js';
import { ALERTS_STREAM, DLQ_STREAM } from './subjects.js';

export const STORE_CONSUMER = 'stowaway-store';

export interface CollectorStats {
  received: number;
  /** Findings already stored (delivered again after a replay or a restart). */
  duplicates: number;
  /** Messages on the findings stream that were not findings. */
  malformed: number;
  dead_letters: number;
  dead_letters_by_reason: Record<string, number>;
  /** Findings the stream holds that this store has not read yet. */
  pending: number;
}

export interface Collector {
  start(): Promise<void>;
  stats(): CollectorStats;
  /** Resolves once nothing is pending on the findings stream (tests, `--until-idle`). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** The alert id of a fleet finding is its finding id; give this to the alert pipeline as `newId`. */
export function fleetIds(): { newId: (f: Finding) => string; ids: WeakMap<Finding, string> } {
  const ids = new WeakMap<Finding, string>();
  let n = 0;
  return { ids, newId: (f) => ids.get(f) ?? `local-${Date.now().toString(36)}-${++n}` };
}

export interface CollectorOptions extends FleetConnectOptions {
  store: Store;
  pipeline: AlertPipeline;
  ids: WeakMap<Finding, string>;
  batch?: number;
  log?: (line: string) => void;
}

export function createCollector(o: CollectorOptions): Collector {
  const log = o.log ?? (() => undefined);
  const st: CollectorStats = { received: 0, duplicates: 0, malformed: 0, dead_letters: 0, dead_letters_by_reason: {}, pending: 0 };
  const db = o.store.db;
  db.exec(`CREATE TABLE IF NOT EXISTS fleet_findings (id TEXT PRIMARY KEY) WITHOUT ROWID`);
  const seenQ = db.prepare(`SELECT 1 FROM fleet_findings WHERE id = ?`);
  const markQ = db.prepare(`INSERT OR IGNORE INTO fleet_findings (id) VALUES (?)`);
  const markAll = db.transaction((ids: string[]) => {
    for (const id of ids) markQ.run(id);
  });
  let nc: NatsConnection | undefined;
  let stopped = false;
  let loop: Promise<void> | undefined;
  let dlqTimer: NodeJS.Timeout | undefined;

  const handleBatch = (msgs: JsMsg[]): void => {
    const findings: Finding[] = [];
    const ids: string[] = [];
    const inBatch = new Set<string>();
    for (const m of msgs) {
      st.received++;
      let fm: FindingMessage;
      try {
        fm = m.json<FindingMessage>();
        if (typeof fm.id !== 'string' || typeof fm.finding?.rule?.id !== 'string' || !Array.isArray(fm.finding.events))
          throw new Error('not a finding message');
      } catch (e) {
        st.malformed++;
        log(`store: findings stream message #${m.seq} is not a finding (${errorMessage(e)}); skipped`);
        continue;
      }
      if (inBatch.has(fm.id) || seenQ.get(fm.id) !== undefined) {
        st.duplicates++;
        continue;
      }
      inBatch.add(fm.id);
      o.ids.set(fm.finding, fm.id);
      findings.push(fm.finding);
      ids.push(fm.id);
    }
    if (findings.length > 0) o.pipeline.process(findings);
    markAll(ids);
  };

  async function run(): Promise<void> {
    const js = nc!.jetstream();
    const consumer = await js.consumers.get(ALERTS_STREAM, STORE_CONSUMER);
    while (!stopped) {
      try {
        const msgs: JsMsg[] = [];
        const it = await consumer.fetch({ max_messages: o.batch ?? 500, expires: 1000 });
        for await (const m of it) msgs.push(m);
        if (msgs.length > 0) {
          handleBatch(msgs);
          for (const m of msgs) m.ack();
          st.pending = msgs[msgs.length - 1]!.info.pending;
        } else st.pending = (await consumer.info(true)).num_pending;
      } catch (e) {
        if (!stopped) {
          log(`store: reading findings failed (${errorMessage(e)}); retrying`);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  }

  async function countDeadLetters(): Promise<void> {
    try {
      const info = await (await nc!.jetstreamManager()).streams.info(DLQ_STREAM, { subjects_filter: 'stowaway.dlq.>' });
      const by: Record<string, number> = {};
      for (const [subj, n] of Object.entries(info.state.subjects ?? {})) by[subj.slice('stowaway.dlq.'.length)] = n;
      st.dead_letters = info.state.messages;
      st.dead_letters_by_reason = by;
    } catch {
      /* the next round tries again */
    }
  }

  return {
    async start() {
      nc = await fleetConnect(o, { name: 'stowaway-store' });
      await ensureFleet(nc);
      const jsm = await nc.jetstreamManager();
      await jsm.consumers.info(ALERTS_STREAM, STORE_CONSUMER).catch(() =>
        jsm.consumers.add(ALERTS_STREAM, {
          durable_name: STORE_CONSUMER,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          max_ack_pending: 20_000,
        }),
      );
      await countDeadLetters();
      dlqTimer = setInterval(() => void countDeadLetters(), 2000);
      dlqTimer.unref();
      loop = run();
    },
    stats: () => ({ ...st, dead_letters_by_reason: { ...st.dead_letters_by_reason } }),
    async idle() {
      // Asked of the server: every finding delivered and acknowledged.
      const jsm = await nc!.jetstreamManager();
      for (;;) {
        const ci = await jsm.consumers.info(ALERTS_STREAM, STORE_CONSUMER);
        if (ci.num_pending === 0 && ci.num_ack_pending === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      await countDeadLetters();
    },
    async stop() {
      stopped = true;
      if (dlqTimer) clearInterval(dlqTimer);
      // A pull waiting on an empty stream ends with its expiry; do not wait longer than that.
      await Promise.race([loop, new Promise((r) => setTimeout(r, 2000))]);
      await nc?.drain().catch(() => undefined);
    },
  };
}

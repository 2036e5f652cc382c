// What every analytic shares: routing on its logsource, event-time bookkeeping (the newest event
// seen, how far intervals are closed), its counters, and checkpointing its tables to the store.
import type { Detector } from '../engine/types.js';
import type { Finding, RuleMeta } from '../model/alert.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { StowawayEvent } from '../model/event.js';
import { eventTimeMs, fieldValues, logsourceMatches, parseTime, whereMatches } from './match.js';
import type { AnalyticsStore } from './store.js';
import type { StateTable } from './table.js';
import type { AnalyticDef } from './types.js';

/** A `Detector` that also persists and shows what it learned. */
export interface AnalyticDetector extends Detector {
  readonly def: AnalyticDef;
  /** Writes changed state to the store (no-op without one). The engine calls it via `advance`. */
  checkpoint(): void;
  /** Reads the store; diagnostics say what was discarded and why. */
  restore(): Diagnostic[];
  /** Learned state, for `baselines show` and explanations. */
  view(): AnalyticView;
  checkpointEveryMs: number;
}

export interface AnalyticView {
  id: string;
  title: string;
  type: string;
  entities: Array<Record<string, unknown>>;
  stats: Record<string, number>;
}

export abstract class AnalyticBase implements AnalyticDetector {
  readonly name: string;
  protected maxSeen = -Infinity;
  private lastCheckpoint = -Infinity;
  /** Wall-clock time between automatic checkpoints in `advance`. */
  checkpointEveryMs = CHECKPOINT_EVERY_MS;
  protected readonly counters: Record<string, number> = { evaluated: 0, findings: 0, unattributed: 0, late: 0, bad_time: 0 };

  constructor(
    readonly def: AnalyticDef,
    protected readonly store?: AnalyticsStore,
  ) {
    this.name = `analytic:${def.id}`;
  }

  /** Whether the event is this analytic's input: its logsource and `where` conditions. */
  protected routes(ev: StowawayEvent): boolean {
    return logsourceMatches(this.def.logsource, ev) && whereMatches(this.def.where, ev);
  }

  /** The event's values of `fields` (the analytic's entity); counts the event unattributed when it has none. */
  protected entityOf(ev: StowawayEvent, fields: string[]): string[] | undefined {
    const ent = fieldValues(ev, fields);
    if (!ent) this.counters.unattributed!++;
    return ent;
  }
  protected abstract onEvent(ev: StowawayEvent, t: number, out: Finding[]): void;
  /** Closes and judges everything that ended at or before `t` (ms). */
  protected abstract closeUpTo(t: number, out: Finding[]): void;
  protected abstract tables(): Record<string, StateTable<unknown>>;
  /** The parts of the definition the state depends on. */
  protected abstract fingerprintParts(): unknown;
  protected abstract metaState(): Record<string, unknown>;
  protected abstract restoreMeta(meta: Record<string, unknown>): void;
  protected abstract restoreRow(table: string, value: unknown): unknown;
  abstract view(): AnalyticView;

  process(ev: StowawayEvent): Finding[] {
    if (!this.routes(ev)) return [];
    const t = eventTimeMs(ev);
    if (t === undefined) {
      this.counters.bad_time!++;
      return [];
    }
    this.counters.evaluated!++;
    const out: Finding[] = [];
    this.onEvent(ev, t, out);
    if (t > this.maxSeen) this.maxSeen = t;
    this.closeUpTo(this.maxSeen - this.def.latenessMs, out);
    this.counters.findings! += out.length;
    return out;
  }

  advance(watermark: string): Finding[] {
    const t = parseTime(watermark);
    const out: Finding[] = [];
    if (!Number.isFinite(t)) return out;
    this.closeUpTo(t, out);
    this.counters.findings! += out.length;
    // The engine advances on nearly every event. Persisting is paced by the wall clock, the one
    // place it is used: how often state is saved never changes what is detected, and a replay
    // at full speed should not pay a transaction per minute of event time.
    // A watermark at or past the newest event this analytic saw means its input went quiet or
    // ended (the engine's flush on shutdown or at the end of a replay): save then too, so what
    // was learned survives without waiting for the next period.
    if (this.store) {
      const now = Date.now();
      if (now - this.lastCheckpoint >= this.checkpointEveryMs || (t >= this.maxSeen && this.hasChanges())) {
        this.lastCheckpoint = now;
        this.checkpoint();
      }
    }
    return out;
  }

  stats(): Record<string, number> {
    const s: Record<string, number> = { ...this.counters };
    for (const [name, tbl] of Object.entries(this.tables())) {
      s[`${name}_kept`] = tbl.size;
      s[`${name}_evicted`] = tbl.evicted;
    }
    return s;
  }

  protected fingerprint(): string {
    return JSON.stringify({ type: this.def.type, entity: this.def.entity, ...(this.fingerprintParts() as object) });
  }

  private hasChanges(): boolean {
    return Object.values(this.tables()).some((t) => t.dirty.size > 0 || t.removed.size > 0);
  }

  checkpoint(): void {
    if (!this.store) return;
    const upserts: Array<{ key: string; value: unknown; tick: number }> = [];
    const deletes: string[] = [];
    for (const [name, tbl] of Object.entries(this.tables())) {
      const d = tbl.drain();
      for (const u of d.upserts) upserts.push({ key: `${name}:${u.key}`, value: u.value, tick: u.tick });
      for (const k of d.deletes) deletes.push(`${name}:${k}`);
    }
    const meta = { ...this.metaState(), maxSeen: Number.isFinite(this.maxSeen) ? this.maxSeen : null };
    const updated = Number.isFinite(this.maxSeen) ? new Date(this.maxSeen).toISOString() : '';
    this.store.save(this.def.id, this.fingerprint(), meta, upserts, deletes, updated);
  }

  restore(): Diagnostic[] {
    if (!this.store) return [];
    const st = this.store.load(this.def.id);
    if (st.fingerprint === undefined) return [];
    if (st.fingerprint !== this.fingerprint()) {
      this.store.clear(this.def.id);
      return [
        {
          severity: 'warning',
          code: 'analytic-state-discarded',
          message: `stored state was learned under a different definition (type, entity, signal, interval or terms changed); starting to learn again`,
          rule: this.def.id,
          file: this.def.file,
        },
      ];
    }
    const meta = (st.meta ?? {}) as Record<string, unknown>;
    if (typeof meta.maxSeen === 'number') this.maxSeen = meta.maxSeen;
    this.restoreMeta(meta);
    const tables = this.tables();
    const byTable = new Map<string, Array<{ key: string; value: unknown; tick: number }>>();
    for (const r of st.rows) {
      const i = r.key.indexOf(':');
      const name = r.key.slice(0, i);
      if (!(name in tables)) continue;
      const list = byTable.get(name) ?? [];
      list.push({ key: r.key.slice(i + 1), value: this.restoreRow(name, r.value), tick: r.tick });
      byTable.set(name, list);
    }
    for (const [name, rows] of byTable) tables[name]!.restoreAll(rows);
    return [];
  }

  protected ruleMeta(): RuleMeta {
    const d = this.def;
    return {
      id: d.id,
      title: d.title,
      kind: 'analytic',
      level: d.level,
      tags: d.tags,
      ...(d.description !== undefined && { description: d.description }),
      ...(d.status !== undefined && { status: d.status }),
      ...(d.author !== undefined && { author: d.author }),
      ...(d.references !== undefined && { references: d.references }),
      ...(d.falsepositives !== undefined && { falsepositives: d.falsepositives }),
      ...(d.file !== undefined && { file: d.file }),
    };
  }
}

/** Wall-clock time between automatic checkpoints during `advance`. */
export const CHECKPOINT_EVERY_MS = 30_000;

/** Persists every analytic among the detectors; call it on shutdown so the last minute is kept. */
export function checkpointAll(detectors: Iterable<unknown>): void {
  for (const d of detectors) {
    const c = (d as Partial<AnalyticDetector>).checkpoint;
    if (typeof c === 'function') c.call(d);
  }
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The interval bookkeeping the baseline and churn analytics share: which entities have an interval
 * open, and how far intervals are closed. Closing is by event time, so a late event for an interval
 * already judged is refused rather than silently changing a verdict that was given.
 */
export class IntervalBuckets {
  /** Interval index → entities with that interval open; rebuilt from the tables on restore. */
  private readonly pending = new Map<number, Set<string>>();
  private closed = -Infinity;

  constructor(private readonly intervalMs: number) {}

  bucketOf(t: number): number {
    return Math.floor(t / this.intervalMs);
  }

  isClosed(bucket: number): boolean {
    return bucket <= this.closed;
  }

  /** Marks `key` as having interval `bucket` open, so closing that interval visits it. */
  mark(bucket: number, key: string): void {
    let set = this.pending.get(bucket);
    if (!set) this.pending.set(bucket, (set = new Set()));
    set.add(key);
  }

  /**
   * Closes every interval whose end is at or before `t` (ms): returns them oldest first, each with its
   * entities in key order, so findings come out in the same order on every run.
   */
  closeUpTo(t: number): Array<[bucket: number, keys: string[]]> {
    const upTo = this.bucketOf(t) - 1;
    if (upTo <= this.closed) return [];
    const due = [...this.pending.keys()].filter((b) => b <= upTo).sort((a, b) => a - b);
    const out: Array<[number, string[]]> = [];
    for (const b of due) {
      out.push([b, [...this.pending.get(b)!].sort()]);
      this.pending.delete(b);
    }
    this.closed = upTo;
    return out;
  }

  save(): { closedBucket: number | null } {
    return { closedBucket: Number.isFinite(this.closed) ? this.closed : null };
  }

  restore(meta: Record<string, unknown>): void {
    if (typeof meta.closedBucket === 'number') this.closed = meta.closedBucket;
  }
}

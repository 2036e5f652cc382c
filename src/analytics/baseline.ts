// Baselines of a numeric signal per entity per interval: each closed interval is judged against
// the median/MAD of the entity's previous intervals, then joins that window.
import type { Finding } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';
import { AnalyticBase, IntervalBuckets, iso, type AnalyticView } from './base.js';
import { fieldValues, joinKey, keyObject, numberAt } from './match.js';
import { judge, type Judgement } from './robust.js';
import type { AnalyticsStore } from './store.js';
import { StateTable } from './table.js';
import type { BaselineDef, BaselineParams } from './types.js';
import { formatDuration } from './units.js';

/** One interval's aggregate while it is open. */
export interface Acc {
  sum: number;
  n: number;
  max: number;
  distinct?: Set<string>;
  first: number;
  last: number;
  /** Newest contributing event: what the finding shows. */
  ev: StowawayEvent;
}

export interface SeriesState {
  /** Values of past closed intervals, oldest first, at most `window`. */
  history: number[];
  lastBucket: number | null;
  anomalous: boolean;
  /** Open intervals by bucket index. */
  open: Record<string, Acc>;
}

interface CounterState {
  v: number;
  t: number;
}

/** Distinct values kept per open interval; beyond it the count saturates (and is counted). */
const DISTINCT_CAP = 10_000;

export function newSeries(): SeriesState {
  return { history: [], lastBucket: null, anomalous: false, open: {} };
}

export function addToAcc(acc: Acc | undefined, value: number, distinctKey: string | undefined, t: number, ev: StowawayEvent): Acc {
  const a = acc ?? { sum: 0, n: 0, max: -Infinity, first: t, last: t, ev };
  a.sum += value;
  a.n++;
  if (value > a.max) a.max = value;
  if (distinctKey !== undefined) {
    a.distinct ??= new Set();
    if (a.distinct.size < DISTINCT_CAP) a.distinct.add(distinctKey);
  }
  if (t < a.first) a.first = t;
  if (t >= a.last) {
    a.last = t;
    a.ev = ev;
  }
  return a;
}

export function accValue(a: Acc, aggregate: BaselineDef['signal']['aggregate']): number {
  switch (aggregate) {
    case 'sum':
      return a.sum;
    case 'count':
      return a.n;
    case 'max':
      return a.max === -Infinity ? 0 : a.max;
    case 'mean':
      return a.n ? a.sum / a.n : 0;
    case 'distinct':
      return a.distinct?.size ?? 0;
  }
}

export interface ClosedInterval {
  observed: number;
  judgement?: Judgement;
  /** Why no alert although anomalous: warmup, learning, realert. */
  suppressed?: 'warmup' | 'learning' | 'realert';
}

/**
 * Pushes one closed interval into a series: fills silent intervals, judges, learns.
 * Pure apart from mutating `s`, so lifecycle churn reuses it for host egress.
 */
export function closeInterval(s: SeriesState, bucket: number, observed: number, p: BaselineParams, learning: boolean): ClosedInterval {
  if (s.lastBucket !== null && p.fill === 'zero') {
    const gap = Math.min(bucket - s.lastBucket - 1, p.window);
    for (let i = 0; i < gap; i++) pushBounded(s.history, 0, p.window);
    if (gap > 0) s.anomalous = false;
  }
  const res: ClosedInterval = { observed };
  if (s.history.length > 0) {
    const j = judge(s.history, observed, p);
    res.judgement = j;
    if (j.anomalous) {
      if (s.history.length < p.warmup) res.suppressed = 'warmup';
      else if (learning) res.suppressed = 'learning';
      else if (p.realert === 'edge' && s.anomalous) res.suppressed = 'realert';
    }
    s.anomalous = j.anomalous;
  }
  pushBounded(s.history, observed, p.window);
  s.lastBucket = bucket;
  return res;
}

function pushBounded(h: number[], v: number, max: number): void {
  h.push(v);
  if (h.length > max) h.splice(0, h.length - max);
}

export function signalName(d: BaselineDef): string {
  const sig = d.signal;
  if (sig.aggregate === 'count') return 'count(events)';
  if (sig.aggregate === 'distinct') return `distinct(${sig.distinct.join(',')})`;
  return `${sig.aggregate}(${sig.field}${sig.counter ? ' increase' : ''})`;
}

export class BaselineAnalytic extends AnalyticBase {
  declare readonly def: BaselineDef;
  private readonly series: StateTable<SeriesState>;
  private readonly counterTable: StateTable<CounterState>;
  private readonly buckets: IntervalBuckets;

  constructor(def: BaselineDef, store?: AnalyticsStore) {
    super(def, store);
    this.buckets = new IntervalBuckets(def.intervalMs);
    this.series = new StateTable<SeriesState>(def.limits.entities);
    this.counterTable = new StateTable<CounterState>(def.limits.entities * 4);
    Object.assign(this.counters, {
      intervals_closed: 0,
      suppressed_warmup: 0,
      suppressed_learning: 0,
      suppressed_realert: 0,
      no_value: 0,
      counter_out_of_order: 0,
    });
  }

  protected onEvent(ev: StowawayEvent, t: number, _out: Finding[]): void {
    const d = this.def;
    const ent = this.entityOf(ev, d.entity);
    if (!ent) return;
    const bucket = this.buckets.bucketOf(t);
    if (this.buckets.isClosed(bucket)) {
      this.counters.late!++;
      return;
    }
    const value = this.signalValue(ev, t);
    if (value === undefined) return;
    let distinctKey: string | undefined;
    if (d.signal.aggregate === 'distinct') {
      const dv = fieldValues(ev, d.signal.distinct);
      if (!dv) {
        this.counters.no_value!++;
        return;
      }
      distinctKey = joinKey(dv);
    }
    const key = joinKey(ent);
    const s = this.series.peek(key) ?? newSeries();
    if (s.lastBucket !== null && bucket <= s.lastBucket) {
      this.counters.late!++;
      return;
    }
    s.open[bucket] = addToAcc(s.open[bucket], value, distinctKey, t, ev);
    this.series.touch(key, s);
    this.buckets.mark(bucket, key);
  }

  private signalValue(ev: StowawayEvent, t: number): number | undefined {
    const sig = this.def.signal;
    if (sig.aggregate === 'count' || sig.aggregate === 'distinct') return 1;
    const v = numberAt(ev, sig.field!);
    if (v === undefined) {
      this.counters.no_value!++;
      return undefined;
    }
    if (!sig.counter) return v;
    const ck = fieldValues(ev, sig.counterKey);
    if (!ck) {
      this.counters.no_value!++;
      return undefined;
    }
    const key = joinKey(ck);
    const prev = this.counterTable.peek(key);
    if (prev && t < prev.t) {
      this.counters.counter_out_of_order!++;
      return undefined;
    }
    this.counterTable.touch(key, { v, t });
    // The first total of a counter only sets the reference: it may span the time before we watched.
    if (!prev) return 0;
    return v >= prev.v ? v - prev.v : v;
  }

  protected closeUpTo(t: number, out: Finding[]): void {
    const d = this.def;
    for (const [b, keys] of this.buckets.closeUpTo(t)) {
      for (const key of keys) {
        const s = this.series.peek(key);
        const acc = s?.open[b];
        if (!s || !acc) continue;
        delete s.open[b];
        this.series.markDirty(key);
        this.counters.intervals_closed!++;
        const observed = accValue(acc, d.signal.aggregate);
        const histBefore = s.history.length;
        const res = closeInterval(s, b, observed, d.baseline, d.learning);
        if (res.suppressed) this.counters[`suppressed_${res.suppressed}`]!++;
        if (res.judgement?.anomalous && !res.suppressed) out.push(this.finding(key, b, acc, res, histBefore));
      }
    }
  }

  private finding(key: string, bucket: number, acc: Acc, res: ClosedInterval, samples: number): Finding {
    const d = this.def;
    const j = res.judgement!;
    const entity = keyObject(d.entity, key);
    const start = bucket * d.intervalMs;
    const end = start + d.intervalMs;
    const sig = signalName(d);
    const iv = formatDuration(d.intervalMs);
    const entityText = Object.values(entity).join('/');
    return {
      rule: this.ruleMeta(),
      time: iso(acc.last),
      events: [acc.ev],
      group: entity,
      details: {
        analytic: 'baseline',
        entity,
        signal: sig,
        observed: res.observed,
        baseline: { median: j.median, mad: j.mad, spread: j.spread, samples, method: 'median/MAD' },
        threshold: { value: j.threshold, ...d.baseline.threshold, floor: d.baseline.floor },
        window: { interval: iv, start: iso(start), end: iso(end), baseline_intervals: samples },
        events_in_interval: acc.n,
        reason: `${entityText}: ${sig} = ${round(res.observed)} in ${iv} (${iso(start)}), baseline median ${round(j.median)} and spread ${round(j.spread)} over the previous ${samples} intervals; threshold ${round(j.threshold)}`,
      },
    };
  }

  protected tables() {
    return { s: this.series, c: this.counterTable } as Record<string, StateTable<unknown>>;
  }

  protected fingerprintParts(): unknown {
    const d = this.def;
    return { signal: d.signal, interval: d.intervalMs, logsource: d.logsource };
  }

  protected metaState(): Record<string, unknown> {
    return this.buckets.save();
  }

  protected restoreMeta(meta: Record<string, unknown>): void {
    this.buckets.restore(meta);
  }

  protected restoreRow(table: string, value: unknown): unknown {
    if (table !== 's') return value;
    const s = value as SeriesState;
    // The window may have been shortened since the state was saved.
    if (s.history.length > this.def.baseline.window) s.history.splice(0, s.history.length - this.def.baseline.window);
    for (const acc of Object.values(s.open)) {
      if (Array.isArray(acc.distinct)) acc.distinct = new Set(acc.distinct);
      if (acc.max === null) acc.max = -Infinity;
    }
    return s;
  }

  override restore() {
    const diags = super.restore();
    for (const [key, s] of this.series.entries()) {
      for (const b of Object.keys(s.open)) {
        this.buckets.mark(Number(b), key);
      }
    }
    return diags;
  }

  view(): AnalyticView {
    return viewOfSeries(this.def, this.series.entries(), this.stats());
  }
}

export function viewOfSeries(d: BaselineDef, entries: Iterable<[string, SeriesState]>, stats: Record<string, number>): AnalyticView {
  const ents: Array<Record<string, unknown>> = [];
  for (const [key, s] of entries) {
    const j = s.history.length ? judge(s.history, Infinity, d.baseline) : undefined;
    ents.push({
      entity: keyObject(d.entity, key),
      samples: s.history.length,
      median: j?.median ?? null,
      spread: j?.spread ?? null,
      threshold: j ? j.threshold : null,
      warm: s.history.length >= d.baseline.warmup,
      last_interval: s.lastBucket !== null ? iso(s.lastBucket * d.intervalMs) : null,
    });
  }
  return { id: d.id, title: d.title, type: d.type, entities: ents, stats };
}

const round = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(3));

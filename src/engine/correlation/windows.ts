// Counting and metric windows: event_count, value_count, value_sum, value_avg and
// value_percentile. Lower-bound and metric conditions slide and fire as soon as they hold;
// upper-bounded counts are anchored at their first event and judged when they close.
import { toNumber } from '../../model/values.js';
import type { Finding } from '../../model/alert.js';
import { satisfies } from '../../sigma/correlation/parse.js';
import { entryOf, type Entry, type Group, type Item, type State } from './state.js';
import type { CorrelationLimits } from '../../sigma/correlation/types.js';

/** Hands a completed window to the engine, which builds the finding and feeds downstream correlations. */
export type Emit = (s: State, g: Group, entries: Entry[], out: Finding[], details: Record<string, unknown>, start: number, end: number) => void;

export interface WindowContext {
  limits: CorrelationLimits;
  /** The value a rule's `field` takes for an item (undefined when it has none). */
  valueOf: (s: State, item: Item) => unknown;
  emit: Emit;
}

function addEntry(ctx: WindowContext, s: State, g: Group, e: Entry): void {
  // Sorted input appends; only an upstream finding can land behind the newest entry.
  let i = g.entries.length;
  while (i > 0 && g.entries[i - 1]!.t > e.t) i--;
  g.entries.splice(i, 0, e);
  if (e.value !== undefined) {
    if (s.rule.type === 'value_count' || s.rule.type === 'value_percentile') {
      g.distinct ??= new Map();
      const k = valueKey(e.value);
      g.distinct.set(k, (g.distinct.get(k) ?? 0) + 1);
      g.n = (g.n ?? 0) + 1;
    } else if (s.rule.type === 'value_sum' || s.rule.type === 'value_avg') {
      const n = toNumber(e.value);
      if (n !== undefined) {
        g.sum = (g.sum ?? 0) + n;
        g.n = (g.n ?? 0) + 1;
      }
    }
  }
  thin(g.entries, ctx.limits.keepEvents);
  if (g.entries.length > ctx.limits.maxWindowEntries) {
    // Past the cap the window forgets its oldest inputs: counts undercount, and say so.
    dropEntries(g, g.entries.length - ctx.limits.maxWindowEntries);
    s.counters.truncated++;
  }
}

function dropBefore(g: Group, cutoff: number): void {
  let k = 0;
  while (k < g.entries.length && g.entries[k]!.t < cutoff) k++;
  dropEntries(g, k);
}

function dropEntries(g: Group, count: number): void {
  let k = 0;
  while (k < count) {
    const e = g.entries[k]!;
    if (e.value !== undefined && g.distinct) {
      const vk = valueKey(e.value);
      const c = (g.distinct.get(vk) ?? 1) - 1;
      if (c <= 0) g.distinct.delete(vk);
      else g.distinct.set(vk, c);
      g.n = (g.n ?? 1) - 1;
    } else if (e.value !== undefined && g.sum !== undefined) {
      const n = toNumber(e.value);
      if (n !== undefined) {
        g.sum -= n;
        g.n = (g.n ?? 1) - 1;
      }
    }
    k++;
  }
  if (k > 0) g.entries.splice(0, k);
}

function resetWindow(g: Group): void {
  g.entries = [];
  g.distinct = undefined;
  g.sum = undefined;
  g.n = undefined;
  g.start = undefined;
}

/** Sliding window ending at the newest entry; lower-bound and metric conditions fire as soon as they hold. */
export function sliding(ctx: WindowContext, s: State, g: Group, item: Item, out: Finding[]): void {
  const value = ctx.valueOf(s, item);
  addEntry(ctx, s, g, entryOf(item, value));
  const newest = g.entries[g.entries.length - 1]!.t;
  dropBefore(g, newest - s.rule.timespanMs);
  const cond = s.rule.condition!;
  const details: Record<string, unknown> = {};
  let observed: number | undefined;
  switch (s.rule.type) {
    case 'event_count':
      observed = g.entries.length;
      details.count = observed;
      break;
    case 'value_count':
      observed = g.distinct?.size ?? 0;
      details.count = observed;
      details.values = distinctValues(g, 20);
      break;
    case 'value_sum':
      if (!g.n) return;
      observed = g.sum!;
      details.sum = observed;
      details.count = g.n;
      break;
    case 'value_avg':
      if (!g.n) return;
      observed = g.sum! / g.n;
      details.avg = observed;
      details.count = g.n;
      break;
    case 'value_percentile': {
      if (value === undefined) return;
      const p = percentileOf(value, g);
      observed = p.percentile;
      details.percentile = p.percentile;
      details.value = value;
      details.count = p.n;
      break;
    }
    default:
      return;
  }
  if (observed === undefined || !satisfies(cond, observed)) return;
  ctx.emit(s, g, g.entries, out, details, g.entries[0]!.t, newest);
  // A percentile judges each value against the window; clearing it would forget the baseline.
  if (s.rule.type !== 'value_percentile') resetWindow(g);
}

/** Window anchored at its first event, judged once when it closes (lt, lte, eq, neq on counts). */
export function anchored(ctx: WindowContext, s: State, g: Group, item: Item, out: Finding[]): void {
  if (g.start !== undefined && item.t > g.start + s.rule.timespanMs) closeWindow(ctx, s, g, out);
  if (g.start === undefined) {
    g.start = item.t;
    s.ends.push({ end: item.t + s.rule.timespanMs, group: g, start: item.t });
  }
  addEntry(ctx, s, g, entryOf(item, ctx.valueOf(s, item)));
}

/** Judges an anchored window once, then empties it. */
export function closeWindow(ctx: WindowContext, s: State, g: Group, out: Finding[]): void {
  if (g.start === undefined || g.entries.length === 0) {
    resetWindow(g);
    return;
  }
  const observed = s.rule.type === 'value_count' ? (g.distinct?.size ?? 0) : g.entries.length;
  if (satisfies(s.rule.condition!, observed)) {
    const details: Record<string, unknown> = { count: observed };
    if (s.rule.type === 'value_count') details.values = distinctValues(g, 20);
    ctx.emit(s, g, g.entries, out, details, g.start, g.start + s.rule.timespanMs);
  }
  resetWindow(g);
}

/** Anchored windows that ended before the watermark: nothing more can join them. */
export function closeEnded(ctx: WindowContext, s: State, wm: number, out: Finding[]): void {
  for (let top = s.ends.peek(); top && top.end < wm; top = s.ends.peek()) {
    s.ends.pop();
    const g = top.group;
    // Stale when the group was dropped or its window already closed and reopened.
    if (s.groups.get(g.key) === g && g.start === top.start) closeWindow(ctx, s, g, out);
  }
}

/**
 * A finding shows the first and last `keep` events of its window; an entry that has just
 * left the last-`keep` zone (and is not among the first `keep`) will never be shown, so its
 * events are released. Memory per window is then bounded by 2 × keep events.
 */
function thin(entries: Entry[], keep: number): void {
  const i = entries.length - 1 - keep;
  if (i >= keep && entries[i]!.events) entries[i]!.events = undefined;
}

/** A value as a distinct-count key: `1` and `"1"` differ. */
function valueKey(v: unknown): string {
  return typeof v === 'string' ? 's' + v : 'j' + JSON.stringify(v);
}

function distinctValues(g: Group, max: number): string[] {
  return [...(g.distinct?.keys() ?? [])].slice(0, max).map((k) => k.slice(1));
}

/**
 * Percentile rank of `value` among the window's values, in percent. Numbers: share of
 * values ≤ it (a low rank is an unusually small value). Anything else: share of values
 * equal to it (a low rank is a rare value, the specification's "rare process name").
 */
function percentileOf(value: unknown, g: Group): { percentile: number; n: number } {
  const n = g.n ?? 0;
  if (n === 0) return { percentile: 0, n };
  const num = toNumber(value);
  let hits = 0;
  if (num === undefined) hits = g.distinct?.get(valueKey(value)) ?? 0;
  else {
    for (const e of g.entries) {
      if (e.value === undefined) continue;
      const x = toNumber(e.value);
      if (x !== undefined && x <= num) hits++;
    }
  }
  return { percentile: (100 * hits) / n, n };
}

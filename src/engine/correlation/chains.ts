// Sequence correlations: `temporal` (all referenced rules within the timespan, any order) and
// `temporal_ordered` (in the order listed), kept as the latest-starting chain per step.
import type { Finding } from '../../model/alert.js';
import { satisfies } from '../../sigma/correlation/parse.js';
import { entryOf, type Chain, type Entry, type Group, type Item, type State, type Step } from './state.js';
import type { Emit } from './windows.js';

export interface ChainContext {
  emit: Emit;
}

/** Every referenced rule (or as many as the condition asks) within the timespan, in any order. */
export function temporal(ctx: ChainContext, s: State, g: Group, item: Item, positions: number[], out: Finding[]): void {
  const n = s.rule.rules.length;
  g.latest ??= new Array<Entry | undefined>(n).fill(undefined);
  const e = entryOf(item);
  for (const p of positions) if (!g.latest[p] || g.latest[p].t <= item.t) g.latest[p] = e;
  const newest = Math.max(...g.latest.map((x) => x?.t ?? -Infinity));
  for (let i = 0; i < n; i++) if (g.latest[i] && g.latest[i]!.t < newest - s.rule.timespanMs) g.latest[i] = undefined;
  const seen = g.latest.filter((x): x is Entry => !!x);
  const distinctSeen = countPresentOf(g.latest);
  const fire = s.rule.condition ? satisfies(s.rule.condition, distinctSeen) : distinctSeen === n;
  if (!fire) return;
  const entries = uniqueSorted(seen);
  const details = { rules_seen: g.latest.map((x, i) => (x ? s.rule.rules[i] : undefined)).filter(Boolean), count: distinctSeen };
  ctx.emit(s, g, entries, out, details, entries[0]!.t, entries[entries.length - 1]!.t);
  g.latest = undefined;
  g.firedOrigin = item.origin;
}

/** The referenced rules in the order listed, within the timespan of the chain's first event. */
export function ordered(ctx: ChainContext, s: State, g: Group, item: Item, positions: number[], out: Finding[]): void {
  const n = s.rule.rules.length;
  const cutoff = item.t - s.rule.timespanMs;
  g.prefix ??= new Array<Step | undefined>(n).fill(undefined);
  const prefix = g.prefix;
  for (let k = 0; k < n; k++) prefix[k] = expireStep(prefix[k], cutoff);
  const e = entryOf(item);
  // Highest step first, so one match never extends a chain it has just started.
  for (const k of [...positions].sort((a, b) => b - a)) {
    if (k === 0) {
      prefix[0] = offer(prefix[0], { start: item.t, chain: [e] });
      continue;
    }
    const step = prefix[k - 1];
    const before = step && (lastOrigin(step.best) !== item.origin ? step.best : step.alt);
    if (!before) continue;
    prefix[k] = offer(prefix[k], { start: before.start, chain: [...before.chain, e] });
  }
  const done = prefix[n - 1]?.best;
  if (!done) return;
  ctx.emit(s, g, done.chain, out, { rules_seen: [...s.rule.rules], count: n }, done.start, item.t);
  g.prefix = undefined;
  g.firedOrigin = item.origin;
}

// ---- sequence steps ------------------------------------------------------------

function lastOrigin(c: Chain): number {
  return c.chain[c.chain.length - 1]!.origin;
}

/** Keeps the latest-starting chain, and the latest-starting one that ends in another event. */
function offer(step: Step | undefined, c: Chain): Step {
  if (!step) return { best: c };
  const o = lastOrigin(c);
  if (c.start >= step.best.start) {
    const alt = lastOrigin(step.best) !== o ? step.best : step.alt;
    return alt ? { best: c, alt } : { best: c };
  }
  if (lastOrigin(step.best) !== o && (!step.alt || c.start >= step.alt.start)) return { best: step.best, alt: c };
  return step;
}

function expireStep(step: Step | undefined, cutoff: number): Step | undefined {
  if (!step) return undefined;
  if (step.best.start < cutoff) return undefined; // alt never starts later than best
  if (step.alt && step.alt.start < cutoff) return { best: step.best };
  return step;
}

function countPresentOf(xs: (Entry | undefined)[]): number {
  return xs.filter(Boolean).length;
}

function uniqueSorted(entries: Entry[]): Entry[] {
  return [...new Set(entries)].sort((a, b) => a.t - b.t || a.seq - b.seq);
}

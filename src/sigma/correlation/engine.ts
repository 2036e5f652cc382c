// Correlation engine: base rule matches in, correlation findings out, in event time.
//
// Matches first wait in a reorder buffer and are released in (event time, arrival)
// order once the watermark (newest event time − lateness) has passed them, so every
// window sees sorted input and a replay gives the same findings as sorted arrival.
// Anything older than the watermark when it arrives is late: dropped and counted.
// No Node-only imports: this also runs in the browser playground.
import { toNumber } from '../../model/values.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { Finding } from '../../model/alert.js';
import type { StowawayEvent } from '../../model/event.js';
import { accessor } from '../fields.js';
import { MinHeap } from './heap.js';
import { describeCondition, hasUpperBound, satisfies } from './parse.js';
import { eventTimeMs, isoTime } from './timespan.js';
import {
  DEFAULT_LIMITS,
  type BaseMatch,
  type CorrelationCounters,
  type CorrelationLimits,
  type CorrelationRule,
} from './types.js';

export interface CorrelationEngineOptions {
  /**
   * The base rules that exist (id and name). When given, a correlation naming a rule
   * that is neither a base rule nor another correlation is refused with a diagnostic.
   */
  knownRules?: ReadonlyArray<{ id: string; name?: string }>;
  limits?: Partial<CorrelationLimits>;
  /** Event paths to try for a rule field name (pipelines map Sigma names to ECS); default: the name itself. */
  fieldPaths?: (field: string) => string[];
}

export interface CorrelationStats {
  buffered: number;
  late: number;
  bad_time: number;
  watermark?: string;
  rules: Record<string, CorrelationCounters>;
}

export interface CorrelationEngine {
  /** The correlations that were accepted (refused ones have diagnostics). */
  readonly rules: readonly CorrelationRule[];
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Base rule id/name → whether it should raise findings of its own: false when every
   * correlation that references it leaves `generate` unset.
   */
  readonly baseGenerate: ReadonlyMap<string, boolean>;
  /** True when some correlation consumes this match (cheap pre-filter for the runtime). */
  wants(match: BaseMatch): boolean;
  /** Buffer one match; returns false when it is late (older than the watermark) or has no usable time. */
  push(match: BaseMatch, event: StowawayEvent): boolean;
  /** Move the watermark (epoch ms) forward and evaluate everything it released. */
  advance(watermarkMs: number): Finding[];
  /** End of input: release everything and close every open window. */
  flush(): Finding[];
  stats(): CorrelationStats;
}

/** What a window holds: a base rule match or an upstream correlation finding. */
interface Item {
  t: number;
  seq: number;
  /** Ids and names this item answers to in `rules:` and `aliases:`. */
  keys: string[];
  ruleId: string;
  /** Same for every match of one event: an event cannot come before itself in a sequence. */
  origin: number;
  event: StowawayEvent;
  events: StowawayEvent[];
  group?: Record<string, unknown>;
}

/**
 * One input inside a window. It keeps its own copy of what a finding needs, not the item,
 * so the events of entries in the middle of a long window can be let go (see `thin`).
 */
interface Entry {
  t: number;
  seq: number;
  origin: number;
  ruleId: string;
  value?: unknown;
  /** How many events the input stood for (an upstream finding may stand for many). */
  n: number;
  events?: StowawayEvent[];
}

function entryOf(item: Item, value?: unknown): Entry {
  const e: Entry = { t: item.t, seq: item.seq, origin: item.origin, ruleId: item.ruleId, n: item.events.length, events: item.events };
  if (value !== undefined) e.value = value;
  return e;
}

interface Group {
  key: string;
  /** Activity list, least recently active first: expiry and eviction walk it from the head. */
  prev?: Group;
  next?: Group;
  values: Record<string, unknown>;
  last: number;
  /** The event that last entered this group, and the one that completed its last sequence. */
  lastOrigin?: number;
  firedOrigin?: number;
  entries: Entry[];
  /** Start of the anchored window (conditions with an upper bound). */
  start?: number;
  /** value_count: value key → occurrences in the window. */
  distinct?: Map<string, number>;
  /** value_sum / value_avg: running sum and count of numeric values. */
  sum?: number;
  n?: number;
  /** temporal: newest entry per referenced rule. */
  latest?: (Entry | undefined)[];
  /** temporal_ordered: per step k, the chain for rules[0..k] with the latest start. */
  prefix?: (Step | undefined)[];
}

/** A partial sequence: rules[0..k] seen in order, starting at `start`. */
interface Chain {
  start: number;
  chain: Entry[];
}

/**
 * Per step, the chain with the latest start, and the best one ending in a different event:
 * the matches of one event arrive one after another, and the second must not extend a chain
 * the first has just ended.
 */
interface Step {
  best: Chain;
  alt?: Chain;
}

interface State {
  rule: CorrelationRule;
  index: number;
  /** Upper-bounded count conditions are judged when the window closes, not as events arrive. */
  closing: boolean;
  /** Anchored window ends, earliest first, so the watermark closes them on time. */
  ends: MinHeap<{ end: number; group: Group; start: number }>;
  groups: Map<string, Group>;
  head?: Group;
  tail?: Group;
  counters: CorrelationCounters;
  /** Findings leave the engine (not only feed other correlations). */
  emit: boolean;
  /** Downstream correlations fed by this one's findings. */
  consumers: Consumer[];
}

interface Consumer {
  state: State;
  positions: number[];
}

const MISSING = '\u0000missing';

export function createCorrelationEngine(rules: readonly CorrelationRule[], opts: CorrelationEngineOptions = {}): CorrelationEngine {
  const limits: CorrelationLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  limits.keepEvents = Math.max(1, Math.floor(limits.keepEvents));
  const fieldPaths = opts.fieldPaths ?? ((f: string) => [f]);
  const diagnostics: Diagnostic[] = [];
  const accepted = resolveReferences(rules, opts.knownRules, diagnostics);

  const states: State[] = accepted.map((rule, index) => ({
    rule,
    index,
    closing: (rule.type === 'event_count' || rule.type === 'value_count') && !!rule.condition && hasUpperBound(rule.condition),
    ends: new MinHeap((a, b) => a.end < b.end),
    groups: new Map(),
    counters: { groups: 0, peak_groups: 0, entries: 0, findings: 0, evicted: 0, expired: 0, late: 0, truncated: 0 },
    emit: true,
    consumers: [],
  }));

  // Who listens to what: base rule references and correlation references alike.
  const corrByRef = new Map<string, State>();
  for (const s of states) for (const k of refKeys(s.rule)) corrByRef.set(k, s);
  const baseConsumers = new Map<string, Consumer[]>();
  const baseGenerate = new Map<string, boolean>();
  for (const s of states) {
    s.rule.rules.forEach((ref, pos) => {
      const upstream = corrByRef.get(ref);
      if (upstream) {
        addConsumer(upstream.consumers, s, pos);
        return;
      }
      const list = baseConsumers.get(ref) ?? [];
      addConsumer(list, s, pos);
      baseConsumers.set(ref, list);
      baseGenerate.set(ref, (baseGenerate.get(ref) ?? false) || s.rule.generate);
    });
  }
  // An intermediate correlation speaks only if a correlation that uses it asks for generate.
  for (const s of states) {
    const users = states.filter((u) => u.rule.rules.some((r) => corrByRef.get(r) === s));
    if (users.length > 0) s.emit = users.some((u) => u.rule.generate);
  }

  let seq = 0;
  let origins = 0;
  let lastEvent: StowawayEvent | undefined;
  let currentOrigin = 0;
  let watermark = -Infinity;
  let late = 0;
  let badTime = 0;
  const buffer = new MinHeap<{ item: Item; consumers: Consumer[] }>((a, b) => a.item.t < b.item.t || (a.item.t === b.item.t && a.item.seq < b.item.seq));

  // Rule sets are fixed once built, so the consumers of one key combination never change.
  const consumerCache = new Map<string, Consumer[]>();
  function consumersOf(keys: string[]): Consumer[] {
    const ck = keys.join('\u0000');
    let cached = consumerCache.get(ck);
    if (!cached) consumerCache.set(ck, (cached = computeConsumers(keys)));
    return cached;
  }

  function computeConsumers(keys: string[]): Consumer[] {
    const out: Consumer[] = [];
    for (const k of keys) {
      for (const c of baseConsumers.get(k) ?? []) {
        const have = out.find((o) => o.state === c.state);
        if (have) {
          for (const p of c.positions) if (!have.positions.includes(p)) have.positions.push(p);
        } else out.push({ state: c.state, positions: [...c.positions] });
      }
    }
    for (const c of out) c.positions.sort((a, b) => a - b);
    return out;
  }

  function matchKeys(m: BaseMatch): string[] {
    const keys = [m.rule.id];
    if (m.rule.name && !keys.includes(m.rule.name)) keys.push(m.rule.name);
    if (m.name && !keys.includes(m.name)) keys.push(m.name);
    return keys;
  }

  // ---- field access -------------------------------------------------------

  function fieldOf(state: State, item: Item, field: string): unknown {
    let actual = field;
    const alias = state.rule.aliases[field];
    if (alias) {
      const k = item.keys.find((key) => alias[key] !== undefined);
      if (k !== undefined) actual = alias[k]!;
    }
    if (item.group && actual in item.group) {
      const v = item.group[actual];
      if (v !== null && v !== undefined) return v;
    }
    for (const p of fieldPaths(actual)) {
      // The matcher's path semantics: nested objects, literal dotted keys, arrays fan out.
      const vs = accessor(p)(item.event).filter((v) => v !== null && v !== undefined);
      if (vs.length === 1) return vs[0];
      if (vs.length > 1) return vs;
    }
    return undefined;
  }

  function valueOf(state: State, item: Item): unknown {
    const fields = state.rule.field;
    if (!fields) return undefined;
    if (fields.length === 1) return fieldOf(state, item, fields[0]!);
    const vs = fields.map((f) => fieldOf(state, item, f));
    return vs.some((v) => v === undefined) ? undefined : vs;
  }

  // ---- the per-item path --------------------------------------------------

  function feed(item: Item, consumers: Consumer[], out: Finding[]): void {
    for (const c of consumers) onItem(c.state, item, c.positions, out);
  }

  function onItem(s: State, item: Item, positions: number[], out: Finding[]): void {
    expire(s, item.t, out);
    const values: Record<string, unknown> = {};
    const parts: string[] = [];
    for (const f of s.rule.groupBy) {
      const v = fieldOf(s, item, f);
      values[f] = v ?? null;
      parts.push(v === undefined ? MISSING : typeof v === 'string' ? 's' + v : 'j' + JSON.stringify(v));
    }
    const key = parts.join('\u0001');
    let g = s.groups.get(key);
    if (g) {
      unlink(s, g);
    } else {
      if (s.groups.size >= limits.maxGroups && s.head) {
        drop(s, s.head);
        s.counters.evicted++;
      }
      g = { key, values, last: item.t, entries: [] };
      s.groups.set(key, g);
    }
    append(s, g);
    g.last = Math.max(g.last, item.t);
    s.counters.peak_groups = Math.max(s.counters.peak_groups, s.groups.size);
    // One event matching several referenced rules is still one event: counted once, and not
    // reused for a new sequence once it completed one.
    const again = g.lastOrigin === item.origin;
    g.lastOrigin = item.origin;
    switch (s.rule.type) {
      case 'temporal':
        if (g.firedOrigin === item.origin) return;
        { temporal(s, g, item, positions, out); return; }
      case 'temporal_ordered':
        if (g.firedOrigin === item.origin) return;
        { ordered(s, g, item, positions, out); return; }
      default:
        if (again) return;
        { s.closing ? anchored(s, g, item, out) : sliding(s, g, item, out); return; }
    }
  }

  function addEntry(s: State, g: Group, e: Entry): void {
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
    thin(g.entries, limits.keepEvents);
    if (g.entries.length > limits.maxWindowEntries) {
      // Past the cap the window forgets its oldest inputs: counts undercount, and say so.
      dropEntries(g, g.entries.length - limits.maxWindowEntries);
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
  function sliding(s: State, g: Group, item: Item, out: Finding[]): void {
    const value = valueOf(s, item);
    addEntry(s, g, entryOf(item, value));
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
    emit(s, g, g.entries, out, details, g.entries[0]!.t, newest);
    // A percentile judges each value against the window; clearing it would forget the baseline.
    if (s.rule.type !== 'value_percentile') resetWindow(g);
  }

  /** Window anchored at its first event, judged once when it closes (lt, lte, eq, neq on counts). */
  function anchored(s: State, g: Group, item: Item, out: Finding[]): void {
    if (g.start !== undefined && item.t > g.start + s.rule.timespanMs) closeWindow(s, g, out);
    if (g.start === undefined) {
      g.start = item.t;
      s.ends.push({ end: item.t + s.rule.timespanMs, group: g, start: item.t });
    }
    addEntry(s, g, entryOf(item, valueOf(s, item)));
  }

  function closeWindow(s: State, g: Group, out: Finding[]): void {
    if (g.start === undefined || g.entries.length === 0) { resetWindow(g); return; }
    const observed = s.rule.type === 'value_count' ? (g.distinct?.size ?? 0) : g.entries.length;
    if (satisfies(s.rule.condition!, observed)) {
      const details: Record<string, unknown> = { count: observed };
      if (s.rule.type === 'value_count') details.values = distinctValues(g, 20);
      emit(s, g, g.entries, out, details, g.start, g.start + s.rule.timespanMs);
    }
    resetWindow(g);
  }

  function temporal(s: State, g: Group, item: Item, positions: number[], out: Finding[]): void {
    const n = s.rule.rules.length;
    g.latest ??= new Array<Entry | undefined>(n).fill(undefined);
    const e = entryOf(item);
    for (const p of positions) if (!g.latest[p] || g.latest[p].t <= item.t) g.latest[p] = e;
    const newest = Math.max(...g.latest.map((x) => x?.t ?? -Infinity));
    for (let i = 0; i < n; i++) if (g.latest[i] && g.latest[i]!.t < newest - s.rule.timespanMs) g.latest[i] = undefined;
    const seen = g.latest.filter((x): x is Entry => !!x);
    const distinctSeen = countPresent(g.latest);
    const fire = s.rule.condition ? satisfies(s.rule.condition, distinctSeen) : distinctSeen === n;
    if (!fire) return;
    const entries = uniqueSorted(seen);
    const details = { rules_seen: g.latest.map((x, i) => (x ? s.rule.rules[i] : undefined)).filter(Boolean), count: distinctSeen };
    emit(s, g, entries, out, details, entries[0]!.t, entries[entries.length - 1]!.t);
    g.latest = undefined;
    g.firedOrigin = item.origin;
  }

  function ordered(s: State, g: Group, item: Item, positions: number[], out: Finding[]): void {
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
    emit(s, g, done.chain, out, { rules_seen: [...s.rule.rules], count: n }, done.start, item.t);
    g.prefix = undefined;
    g.firedOrigin = item.origin;
  }

  function emit(s: State, g: Group, entries: Entry[], out: Finding[], details: Record<string, unknown>, start: number, end: number): void {
    const last = entries.reduce((m, e) => Math.max(m, e.t), -Infinity);
    const events = boundEvents(entries.flatMap((e) => e.events ?? []), limits.keepEvents);
    const total = entries.reduce((sum, e) => sum + e.n, 0);
    const finding: Finding = {
      rule: s.rule.meta,
      time: isoTime(last),
      events,
      group: { ...g.values },
      details: {
        type: s.rule.type,
        ...details,
        condition: describeCondition(s.rule.condition),
        timespan: s.rule.timespan,
        window_start: isoTime(start),
        window_end: isoTime(end),
        events_total: total,
        rules: [...new Set(entries.map((e) => e.ruleId))],
      },
    };
    s.counters.findings++;
    if (s.emit) out.push(finding);
    if (s.consumers.length === 0) return;
    const item: Item = {
      t: last,
      seq: ++seq,
      keys: refKeys(s.rule),
      ruleId: s.rule.meta.id,
      origin: ++origins,
      event: events[events.length - 1]!,
      events,
      group: finding.group,
    };
    for (const c of s.consumers) onItem(c.state, item, c.positions, out);
  }

  /** Anchored windows that ended before the watermark: nothing more can join them. */
  function closeEnded(s: State, wm: number, out: Finding[]): void {
    for (let top = s.ends.peek(); top && top.end < wm; top = s.ends.peek()) {
      s.ends.pop();
      const g = top.group;
      // Stale when the group was dropped or its window already closed and reopened.
      if (s.groups.get(g.key) === g && g.start === top.start) closeWindow(s, g, out);
    }
  }

  function expire(s: State, now: number, out: Finding[]): void {
    const cutoff = now - s.rule.timespanMs;
    for (let g = s.head; g && g.last < cutoff; g = s.head) {
      if (s.closing) closeWindow(s, g, out);
      drop(s, g);
      s.counters.expired++;
    }
  }

  function release(limit: number, out: Finding[]): void {
    for (let top = buffer.peek(); top && top.item.t <= limit; top = buffer.peek()) {
      buffer.pop();
      feed(top.item, top.consumers, out);
    }
  }

  return {
    rules: accepted,
    diagnostics,
    baseGenerate,
    wants(match) {
      return matchKeys(match).some((k) => baseConsumers.has(k));
    },
    push(match, event) {
      const keys = matchKeys(match);
      const consumers = consumersOf(keys);
      if (consumers.length === 0) return true;
      const t = eventTimeMs(event['@timestamp']);
      if (!Number.isFinite(t)) {
        badTime++;
        return false;
      }
      if (t < watermark) {
        late++;
        for (const c of consumers) c.state.counters.late++;
        return false;
      }
      if (event !== lastEvent) {
        lastEvent = event;
        currentOrigin = ++origins;
      }
      buffer.push({ item: { t, seq: ++seq, keys, ruleId: match.rule.id, origin: currentOrigin, event, events: [event] }, consumers });
      return true;
    },
    advance(wm) {
      const out: Finding[] = [];
      if (wm > watermark) watermark = wm;
      release(watermark, out);
      for (const s of states) {
        if (s.closing) closeEnded(s, watermark, out);
        expire(s, watermark, out);
      }
      return out;
    },
    flush() {
      const out: Finding[] = [];
      release(Infinity, out);
      for (const s of states) {
        for (let g = s.head; g; g = g.next) if (s.closing) closeWindow(s, g, out);
        s.groups.clear();
        s.head = s.tail = undefined;
        while (s.ends.pop()) continue;
      }
      return out;
    },
    stats() {
      const per: Record<string, CorrelationCounters> = {};
      for (const s of states) {
        let entries = 0;
        for (const g of s.groups.values()) entries += g.entries.length + (g.latest ? countPresent(g.latest) : 0) + (g.prefix?.filter(Boolean).length ?? 0);
        per[s.rule.meta.id] = { ...s.counters, groups: s.groups.size, entries };
      }
      const st: CorrelationStats = { buffered: buffer.size, late, bad_time: badTime, rules: per };
      if (Number.isFinite(watermark)) st.watermark = isoTime(watermark);
      return st;
    },
  };
}

// ---- build-time reference checks -------------------------------------------

function refKeys(r: CorrelationRule): string[] {
  const keys = [r.meta.id];
  if (r.id && !keys.includes(r.id)) keys.push(r.id);
  if (r.name && !keys.includes(r.name)) keys.push(r.name);
  return keys;
}

/**
 * Refuses, per correlation, duplicates, references to rules that do not exist,
 * reference cycles, and correlations built on refused ones. Never throws.
 */
function resolveReferences(
  rules: readonly CorrelationRule[],
  known: ReadonlyArray<{ id: string; name?: string }> | undefined,
  diagnostics: Diagnostic[],
): CorrelationRule[] {
  const diag = (r: CorrelationRule, code: string, message: string): void => {
    diagnostics.push({ severity: 'error', code, message, file: r.file, line: r.line, rule: r.meta.id });
  };
  const byRef = new Map<string, CorrelationRule>();
  const unique: CorrelationRule[] = [];
  for (const r of rules) {
    const clash = refKeys(r).find((k) => byRef.has(k));
    if (clash !== undefined) {
      diag(r, 'duplicate-correlation', `another correlation already uses the id or name ${clash}; this one is ignored`);
      continue;
    }
    for (const k of refKeys(r)) byRef.set(k, r);
    unique.push(r);
  }
  const base = known ? new Set(known.flatMap((k) => (k.name ? [k.id, k.name] : [k.id]))) : undefined;
  const refused = new Set<CorrelationRule>();
  for (const r of unique) {
    const missing = r.rules.filter((ref) => !byRef.has(ref) && base !== undefined && !base.has(ref));
    if (missing.length > 0) {
      diag(r, 'unknown-rule-reference', `correlation references ${missing.join(', ')}, which no loaded rule or correlation has as id or name`);
      refused.add(r);
    }
  }
  // Cycles: depth-first walk over correlation → correlation references.
  const visiting = new Set<CorrelationRule>();
  const done = new Set<CorrelationRule>();
  const inCycle = new Set<CorrelationRule>();
  const walk = (r: CorrelationRule, path: CorrelationRule[]): void => {
    if (done.has(r)) return;
    if (visiting.has(r)) {
      for (const x of path.slice(path.indexOf(r))) inCycle.add(x);
      return;
    }
    visiting.add(r);
    for (const ref of r.rules) {
      const up = byRef.get(ref);
      if (up) walk(up, [...path, r]);
    }
    visiting.delete(r);
    done.add(r);
  };
  for (const r of unique) walk(r, []);
  for (const r of inCycle) {
    diag(r, 'correlation-cycle', 'correlation is part of a reference cycle and can never complete');
    refused.add(r);
  }
  // Anything built on a refused correlation cannot work either.
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of unique) {
      if (refused.has(r)) continue;
      const bad = r.rules.find((ref) => {
        const up = byRef.get(ref);
        return up !== undefined && refused.has(up);
      });
      if (bad !== undefined) {
        diag(r, 'broken-chain', `correlation builds on ${bad}, which was refused`);
        refused.add(r);
        changed = true;
      }
    }
  }
  return unique.filter((r) => !refused.has(r));
}

// ---- the activity list ---------------------------------------------------------

function unlink(s: State, g: Group): void {
  if (g.prev) g.prev.next = g.next;
  else s.head = g.next;
  if (g.next) g.next.prev = g.prev;
  else s.tail = g.prev;
  g.prev = g.next = undefined;
}

function append(s: State, g: Group): void {
  g.prev = s.tail;
  g.next = undefined;
  if (s.tail) s.tail.next = g;
  else s.head = g;
  s.tail = g;
}

function drop(s: State, g: Group): void {
  unlink(s, g);
  s.groups.delete(g.key);
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

// ---- small pure helpers ------------------------------------------------------

/**
 * A finding shows the first and last `keep` events of its window; an entry that has just
 * left the last-`keep` zone (and is not among the first `keep`) will never be shown, so its
 * events are released. Memory per window is then bounded by 2 × keep events.
 */
function thin(entries: Entry[], keep: number): void {
  const i = entries.length - 1 - keep;
  if (i >= keep && entries[i]!.events) entries[i]!.events = undefined;
}

function addConsumer(list: Consumer[], state: State, pos: number): void {
  const have = list.find((c) => c.state === state);
  if (have) have.positions.push(pos);
  else list.push({ state, positions: [pos] });
}

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

function countPresent(xs: (Entry | undefined)[]): number {
  return xs.filter(Boolean).length;
}

function uniqueSorted(entries: Entry[]): Entry[] {
  return [...new Set(entries)].sort((a, b) => a.t - b.t || a.seq - b.seq);
}

/** The first N and last N events: enough to show how it began and how it ended. */
function boundEvents(events: StowawayEvent[], keep: number): StowawayEvent[] {
  const uniq = [...new Set(events)];
  if (uniq.length <= 2 * keep) return uniq;
  return [...uniq.slice(0, keep), ...uniq.slice(uniq.length - keep)];
}

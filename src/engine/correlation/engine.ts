// Correlation engine: base rule matches in, correlation findings out, in event time.
//
// Matches first wait in a reorder buffer and are released in (event time, arrival)
// order once the watermark (newest event time − lateness) has passed them, so every
// window sees sorted input and a replay gives the same findings as sorted arrival.
// Anything older than the watermark when it arrives is late: dropped and counted.
// No Node-only imports: this also runs in the browser playground.
//
// The parts, one concern each: the reorder buffer (reorder.ts), group keys (groups.ts),
// counting and metric windows (windows.ts), ordered chains (chains.ts) and the typed state
// they share (state.ts); rule documents and their reference checks are the language's
// (sigma/correlation/). This file wires them.
import type { Diagnostic } from '../../model/diagnostic.js';
import type { Finding } from '../../model/alert.js';
import type { StowawayEvent } from '../../model/event.js';
import { MinHeap } from './heap.js';
import { describeCondition, hasUpperBound } from '../../sigma/correlation/parse.js';
import { isoTime } from '../../sigma/correlation/timespan.js';
import { DEFAULT_LIMITS, type BaseMatch, type CorrelationCounters, type CorrelationLimits, type CorrelationRule } from '../../sigma/correlation/types.js';
import { drop, type Consumer, type Entry, type Group, type Item, type State } from './state.js';
import { refKeys, resolveReferences } from '../../sigma/correlation/references.js';
import { enterGroup, fieldReader, groupKey } from './groups.js';
import { anchored, closeEnded, closeWindow, sliding, type WindowContext } from './windows.js';
import { ordered, temporal } from './chains.js';
import { ReorderBuffer, type Sequence } from './reorder.js';

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

export function createCorrelationEngine(rules: readonly CorrelationRule[], opts: CorrelationEngineOptions = {}): CorrelationEngine {
  const limits: CorrelationLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  limits.keepEvents = Math.max(1, Math.floor(limits.keepEvents));
  const diagnostics: Diagnostic[] = [];
  const accepted = resolveReferences(rules, opts.knownRules, diagnostics);
  const states = accepted.map(stateOf);
  const { baseConsumers, baseGenerate } = wire(states);
  const read = fieldReader(opts.fieldPaths ?? ((f: string) => [f]));
  const ids: Sequence = { seq: 0, origins: 0 };
  const buffer = new ReorderBuffer(ids);
  const ctx: WindowContext = { limits, valueOf: read.valueOf, emit };

  // Rule sets are fixed once built, so the consumers of one key combination never change.
  const consumerCache = new Map<string, Consumer[]>();
  function consumersOf(keys: string[]): Consumer[] {
    const ck = keys.join('\u0000');
    let cached = consumerCache.get(ck);
    if (!cached) consumerCache.set(ck, (cached = mergeConsumers(keys.map((k) => baseConsumers.get(k) ?? []))));
    return cached;
  }

  function onItem(s: State, item: Item, positions: number[], out: Finding[]): void {
    expire(s, item.t, out);
    const { key, values } = groupKey(read, s, item);
    const g = enterGroup(s, key, values, item.t, limits.maxGroups);
    // One event matching several referenced rules is still one event: counted once, and not
    // reused for a new sequence once it completed one.
    const again = g.lastOrigin === item.origin;
    g.lastOrigin = item.origin;
    switch (s.rule.type) {
      case 'temporal':
        if (g.firedOrigin !== item.origin) temporal(ctx, s, g, item, positions, out);
        return;
      case 'temporal_ordered':
        if (g.firedOrigin !== item.origin) ordered(ctx, s, g, item, positions, out);
        return;
      default:
        if (again) return;
        if (s.closing) anchored(ctx, s, g, item, out);
        else sliding(ctx, s, g, item, out);
    }
  }

  /** A completed window becomes a finding, which may feed downstream correlations in turn. */
  function emit(s: State, g: Group, entries: Entry[], out: Finding[], details: Record<string, unknown>, start: number, end: number): void {
    const last = entries.reduce((m, e) => Math.max(m, e.t), -Infinity);
    const events = boundEvents(
      entries.flatMap((e) => e.events ?? []),
      limits.keepEvents,
    );
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
      seq: ++ids.seq,
      keys: refKeys(s.rule),
      ruleId: s.rule.meta.id,
      origin: ++ids.origins,
      event: events[events.length - 1]!,
      events,
      group: finding.group,
    };
    for (const c of s.consumers) onItem(c.state, item, c.positions, out);
  }

  function expire(s: State, now: number, out: Finding[]): void {
    const cutoff = now - s.rule.timespanMs;
    for (let g = s.head; g && g.last < cutoff; g = s.head) {
      if (s.closing) closeWindow(ctx, s, g, out);
      drop(s, g);
      s.counters.expired++;
    }
  }

  const release = (limit: number, out: Finding[]): void => {
    buffer.release(limit, (item, consumers) => {
      for (const c of consumers) onItem(c.state, item, c.positions, out);
    });
  };

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
      return buffer.push(event, keys, match.rule.id, consumers);
    },
    advance(wm) {
      const out: Finding[] = [];
      if (wm > buffer.watermark) buffer.watermark = wm;
      release(buffer.watermark, out);
      for (const s of states) {
        if (s.closing) closeEnded(ctx, s, buffer.watermark, out);
        expire(s, buffer.watermark, out);
      }
      return out;
    },
    flush() {
      const out: Finding[] = [];
      release(Infinity, out);
      for (const s of states) {
        for (let g = s.head; g; g = g.next) if (s.closing) closeWindow(ctx, s, g, out);
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
        for (const g of s.groups.values())
          entries += g.entries.length + (g.latest ? g.latest.filter(Boolean).length : 0) + (g.prefix?.filter(Boolean).length ?? 0);
        per[s.rule.meta.id] = { ...s.counters, groups: s.groups.size, entries };
      }
      const st: CorrelationStats = { buffered: buffer.size, late: buffer.late, bad_time: buffer.badTime, rules: per };
      if (Number.isFinite(buffer.watermark)) st.watermark = isoTime(buffer.watermark);
      return st;
    },
  };
}

function stateOf(rule: CorrelationRule, index: number): State {
  return {
    rule,
    index,
    closing: (rule.type === 'event_count' || rule.type === 'value_count') && !!rule.condition && hasUpperBound(rule.condition),
    ends: new MinHeap((a, b) => a.end < b.end),
    groups: new Map(),
    counters: { groups: 0, peak_groups: 0, entries: 0, findings: 0, evicted: 0, expired: 0, late: 0, truncated: 0 },
    emit: true,
    consumers: [],
  };
}

/** Who listens to what: base rule references and correlation references alike, and which base rules still speak for themselves. */
function wire(states: State[]): { baseConsumers: Map<string, Consumer[]>; baseGenerate: Map<string, boolean> } {
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
  return { baseConsumers, baseGenerate };
}

/** The consumers of several keys as one list, each correlation once with all its positions, sorted. */
function mergeConsumers(lists: Consumer[][]): Consumer[] {
  const out: Consumer[] = [];
  for (const list of lists) {
    for (const c of list) {
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

function addConsumer(list: Consumer[], state: State, pos: number): void {
  const have = list.find((c) => c.state === state);
  if (have) have.positions.push(pos);
  else list.push({ state, positions: [pos] });
}

/** The first N and last N events: enough to show how it began and how it ended. */
function boundEvents(events: StowawayEvent[], keep: number): StowawayEvent[] {
  const uniq = [...new Set(events)];
  if (uniq.length <= 2 * keep) return uniq;
  return [...uniq.slice(0, keep), ...uniq.slice(uniq.length - keep)];
}

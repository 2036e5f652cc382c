// The one per-event path every command uses (scan, watch, validate, demo):
// Sigma rules → findings for generating rules; every match → correlations; every
// event → analytics; then the watermark moves and whatever it closed comes out.
import { EventClock, type EventClockOptions } from './event-clock.js';
import type { Finding } from '../model/alert.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { StowawayEvent } from '../model/event.js';
import { eventTimeMs, isoTime, parseDuration, type BaseMatch, type CorrelationLimits, type CorrelationRule } from '../sigma/correlation/index.js';
import { createCorrelationEngine, type CorrelationStats } from './correlation/engine.js';
import type { Detector } from './types.js';
import { builtinFieldPaths } from './fields.js';

/** What the engine needs of a compiled Sigma rule set. */
export interface MatchingRuleSet {
  match(event: StowawayEvent): BaseMatch[];
  /** Turns a rule's own findings on or off (correlations that consume it without `generate`). */
  setGenerate?(idOrName: string, generate: boolean): unknown;
}

export interface EngineOptions {
  ruleset: MatchingRuleSet;
  correlations?: readonly CorrelationRule[];
  /** Extra stateful detectors (analytics); each sees every event. */
  detectors?: readonly Detector[];
  /** How far behind the newest event time an event may arrive and still count: ms, or `5s`, `2m` ... Default 0. */
  lateness?: number | string;
  /** Base rules that exist, so correlations naming missing rules are refused; omitted → not checked. */
  knownRules?: ReadonlyArray<{ id: string; name?: string }>;
  limits?: Partial<CorrelationLimits>;
  /** Event paths for a rule field name (the pipelines' field mapping); default: the built-in pipelines'. */
  fieldPaths?: (field: string) => string[];
  /** How far one event may move event time ahead, and how many must agree on a larger jump. */
  clock?: EventClockOptions;
}

export interface EngineStats {
  events: number;
  /** Events at least one Sigma rule matched. */
  matched: number;
  findings: number;
  findings_by_rule: Record<string, number>;
  /** Events whose @timestamp could not be read; they are matched but not correlated. */
  bad_time: number;
  /** Correlation inputs dropped because they arrived behind the watermark. */
  late: number;
  /** Correlation groups evicted because a rule hit its group limit. */
  evicted: number;
  /** Detector exceptions caught and counted (the event still went to the others). */
  detector_errors: number;
  /** Events the rule set threw on (they still reached the detectors). */
  match_errors: number;
  lateness_ms: number;
  /** Events dated so far ahead that they did not move event time on their own (see EventClock). */
  time_outliers: number;
  watermark?: string;
  correlations: CorrelationStats;
  detectors: Record<string, Record<string, number>>;
}

export interface Engine {
  /** Diagnostics raised while building (refused correlations and why). */
  readonly diagnostics: readonly Diagnostic[];
  process(event: StowawayEvent): Finding[];
  /**
   * An event matched elsewhere (a scan worker thread) that wrote its findings itself: counted
   * as `process` counts it (`matched`: a rule matched it), and its time (epoch ms, NaN when it
   * has none) moves event time, which may release correlation findings. Only for events no
   * correlation reads; with detectors, which must see every event, it throws.
   */
  passed(timeMs: number, matched: boolean): Finding[];
  /** `n` findings of rule `ruleId` written elsewhere (see `passed`), in the per-rule counters. */
  countFindings(ruleId: string, n: number): void;
  /**
   * Moves the watermark to at least `time` (epoch ms or ISO) without an event: for live
   * sources that go quiet (e.g. wall clock − lateness). Events older than it arrive late.
   */
  advanceTo(time: number | string): Finding[];
  /**
   * Live use: call every 100 ms or so. Moves the watermark to the time up to which the live
   * sources say they are complete (`sourcesWatermarkMs`, see `liveWatermark`), but never
   * less than `nowMs − lateness`: lateness bounds how long a finding waits for a source
   * that cannot tell or lags. Without a source watermark: `nowMs − lateness`. So a quiet host
   * still gets the findings its last events completed; live events that reach the engine
   * behind the watermark are late for correlations (counted).
   */
  tick(nowMs?: number, sourcesWatermarkMs?: number): Finding[];
  /** End of input: release buffered correlation input and close every window. */
  flush(): Finding[];
  /** Every detector writes its learned state now (a fleet worker's checkpoint). */
  checkpoint(): void;
  stats(): EngineStats;
}

export function createEngine(opts: EngineOptions): Engine {
  const diagnostics: Diagnostic[] = [];
  let lateness = 0;
  if (opts.lateness !== undefined) {
    const ms = typeof opts.lateness === 'number' ? opts.lateness : parseDuration(opts.lateness);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
      diagnostics.push({ severity: 'warning', code: 'bad-lateness', message: `lateness ${JSON.stringify(opts.lateness)} is not a duration; using 0` });
    } else lateness = ms;
  }
  const corr = createCorrelationEngine(opts.correlations ?? [], {
    knownRules: opts.knownRules,
    limits: opts.limits,
    fieldPaths: opts.fieldPaths ?? builtinFieldPaths(),
  });
  diagnostics.push(...corr.diagnostics);
  for (const [ref, generate] of corr.baseGenerate) opts.ruleset.setGenerate?.(ref, generate);

  const detectors = opts.detectors ?? [];
  const advancing = detectors.filter((d) => d.advance !== undefined);
  let events = 0;
  let matched = 0;
  let badTime = 0;
  let detectorErrors = 0;
  let matchErrors = 0;
  const clock = new EventClock(opts.clock);
  let newest = -Infinity;
  let lastWatermark = -Infinity;
  const byRule: Record<string, number> = {};

  function count(out: Finding[]): Finding[] {
    for (const f of out) byRule[f.rule.id] = (byRule[f.rule.id] ?? 0) + 1;
    return out;
  }

  function guarded(d: Detector, fn: () => Finding[]): Finding[] {
    try {
      return fn();
    } catch (e) {
      detectorErrors++;
      diagnostics.push({ severity: 'error', code: 'detector-error', message: `${d.name}: ${(e as Error).message}` });
      if (diagnostics.length > 1000) diagnostics.splice(0, diagnostics.length - 1000);
      return [];
    }
  }

  function advanceTo(time: number | string): Finding[] {
    const t = eventTimeMs(time);
    if (!Number.isFinite(t) || t <= lastWatermark) return [];
    lastWatermark = t;
    const out = corr.advance(t);
    const iso = isoTime(t);
    for (const d of advancing) out.push(...guarded(d, () => d.advance!(iso)));
    return count(out);
  }

  /** An event's time moves event time; what the new watermark closes is added to `out`. */
  function moveTime(t: number, out: Finding[]): Finding[] {
    if (!Number.isFinite(t)) badTime++;
    else newest = clock.observe(t);
    const wm = newest - lateness;
    if (wm > lastWatermark) {
      lastWatermark = wm;
      out.push(...corr.advance(wm));
      if (advancing.length > 0) {
        const iso = isoTime(wm);
        for (const d of advancing) out.push(...guarded(d, () => d.advance!(iso)));
      }
    }
    return out;
  }

  return {
    diagnostics,
    process(ev) {
      events++;
      const out: Finding[] = [];
      let matches: BaseMatch[];
      try {
        matches = opts.ruleset.match(ev);
      } catch (e) {
        // One malformed event must not stop the stream; it is counted and the first few are reported.
        matches = [];
        matchErrors++;
        if (matchErrors <= 10) diagnostics.push({ severity: 'error', code: 'match-error', message: `rule set failed on an event: ${(e as Error).message}` });
      }
      if (matches.length > 0) matched++;
      for (const m of matches) {
        if (m.generate)
          out.push({ rule: m.rule, time: ev['@timestamp'], events: [ev], selections: m.selections, ...(m.matched?.length ? { matched: m.matched } : {}) });
        corr.push(m, ev);
      }
      for (const d of detectors) out.push(...guarded(d, () => d.process(ev)));
      return count(moveTime(eventTimeMs(ev['@timestamp']), out));
    },
    passed(t, wasMatched) {
      if (detectors.length > 0) throw new Error('an engine with detectors must see every event whole');
      events++;
      if (wasMatched) matched++;
      const out = moveTime(t, []);
      return out.length > 0 ? count(out) : out;
    },
    countFindings(ruleId, n) {
      byRule[ruleId] = (byRule[ruleId] ?? 0) + n;
    },
    advanceTo,
    tick(nowMs = Date.now(), sourcesWatermarkMs) {
      return advanceTo(tickWatermark(nowMs, lateness, sourcesWatermarkMs));
    },
    flush() {
      const out = corr.flush();
      // End of input: every event is in, so analytics may judge up to the newest event time.
      if (Number.isFinite(newest) && newest > lastWatermark) {
        lastWatermark = newest;
        const iso = isoTime(newest);
        for (const d of detectors) if (d.advance) out.push(...guarded(d, () => d.advance!(iso)));
      }
      return count(out);
    },
    checkpoint() {
      for (const d of detectors) if (d.checkpoint) guarded(d, () => (d.checkpoint!(), []));
    },
    stats() {
      const c = corr.stats();
      const perDetector: Record<string, Record<string, number>> = {};
      for (const d of detectors) {
        if (!d.stats) continue;
        try {
          perDetector[d.name] = d.stats();
        } catch {
          detectorErrors++;
        }
      }
      const evicted = Object.values(c.rules).reduce((s, r) => s + r.evicted, 0);
      const st: EngineStats = {
        events,
        matched,
        findings: Object.values(byRule).reduce((a, b) => a + b, 0),
        findings_by_rule: { ...byRule },
        bad_time: badTime,
        late: c.late,
        evicted,
        detector_errors: detectorErrors,
        match_errors: matchErrors,
        lateness_ms: lateness,
        time_outliers: clock.outliers,
        correlations: c,
        detectors: perDetector,
      };
      if (Number.isFinite(lastWatermark)) st.watermark = isoTime(lastWatermark);
      return st;
    },
  };
}

/**
 * Where a live tick puts the watermark: as far as the sources are complete, at least
 * `now − lateness` (lateness is the most a finding waits), never past `now`.
 */
export function tickWatermark(nowMs: number, latenessMs: number, sourcesWatermarkMs?: number): number {
  const bound = nowMs - latenessMs;
  if (sourcesWatermarkMs === undefined || !Number.isFinite(sourcesWatermarkMs)) return bound;
  return Math.min(nowMs, Math.max(bound, sourcesWatermarkMs));
}

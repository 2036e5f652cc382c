// Findings → alerts people can work with: exceptions first, then dedup (one alert per
// rule and entity per window, with a count), then a per-rule rate limit that records
// what it held back on the rule's newest alert. Everything merged, held or excepted is
// counted; nothing disappears without a number saying so.
import type { Alert, Finding } from '../model/alert.js';
import type { Store } from '../sinks/store/index.js';
import type { Output } from '../sinks/types.js';
import { buildAlert, type StrategyLookup } from './build.js';
import { entityOf, entityKey } from './entity.js';
import { matchException, type AlertException } from './exceptions.js';

export interface PipelineOptions {
  store?: Store;
  outputs?: Output[];
  catalog?: StrategyLookup;
  /** A list, or a function asked once per batch (so exceptions added while running apply to the next batch). */
  exceptions?: readonly AlertException[] | (() => readonly AlertException[]);
  /** Event-time span, from an alert's first finding, during which repeats merge into it. */
  dedupWindowS?: number;
  /** New alerts allowed per rule per window of event time; the rest are held back and counted. */
  rateLimit?: { perRule: number; windowS: number };
  /** Bound on open dedup entries; the oldest close first (counted as `evicted`). */
  maxOpen?: number;
  now?: () => Date;
  /** The alert's id; given the finding that opens it (fleet ids are derived from it). */
  newId?: (f: Finding) => string;
}

export interface PipelineStats {
  findings: number;
  created: number;
  merged: number;
  excepted: number;
  held_back: number;
  evicted: number;
  /** Repeats that opened a new alert because the analyst had resolved the previous one (or it was deleted). */
  reopened: number;
  open: number;
  store_errors: number;
  last_store_error?: string;
  /** Events stored truncated because they could not be serialized whole; the alert itself is kept. */
  truncated_events: number;
  last_truncated?: string;
  excepted_by: Record<string, number>;
  held_back_by_rule: Record<string, number>;
}

export interface BatchResult {
  created: Alert[];
  merged: number;
  excepted: number;
  held: number;
}

export interface AlertPipeline {
  /** Handles a batch in one store transaction; new alerts go to outputs after the commit. */
  process(findings: readonly Finding[]): BatchResult;
  stats(): PipelineStats;
  /** Closes outputs (flushing what they hold); the store stays open for its owner. */
  close(): Promise<void>;
}

/** Rate windows remembered per rule; the oldest is forgotten first. */
const RATE_WINDOWS_PER_RULE = 4;

export const DEFAULTS = { dedupWindowS: 600, rateLimit: { perRule: 20, windowS: 60 }, maxOpen: 50_000 } as const;

const ms = (iso: string): number => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
};

export function createAlertPipeline(opts: PipelineOptions = {}): AlertPipeline {
  const windowMs = (opts.dedupWindowS ?? DEFAULTS.dedupWindowS) * 1000;
  const rate = opts.rateLimit ?? DEFAULTS.rateLimit;
  const rateMs = rate.windowS * 1000;
  const maxOpen = opts.maxOpen ?? DEFAULTS.maxOpen;
  const exceptionsNow =
    typeof opts.exceptions === 'function'
      ? opts.exceptions
      : (
          (list) => () =>
            list
        )(opts.exceptions ?? []);
  const outputs = opts.outputs ?? [];
  const open = new Map<string, Alert>();
  // A few windows per rule, each opened by the finding that found none covering its time:
  // one finding dated far ahead opens its own window instead of moving the rule's only one
  // (which held back every real alert behind it).
  const budget = new Map<string, Array<{ start: number; created: number }>>();
  const newestOfRule = new Map<string, Alert>();
  const s: PipelineStats = {
    findings: 0,
    created: 0,
    merged: 0,
    excepted: 0,
    held_back: 0,
    evicted: 0,
    reopened: 0,
    open: 0,
    store_errors: 0,
    truncated_events: 0,
    excepted_by: {},
    held_back_by_rule: {},
  };

  function allowNew(ruleId: string, t: number): boolean {
    let windows = budget.get(ruleId);
    if (!windows) budget.set(ruleId, (windows = []));
    let b = windows.find((w) => t >= w.start && t - w.start < rateMs);
    if (!b) {
      b = { start: t, created: 0 };
      windows.push(b);
      if (windows.length > RATE_WINDOWS_PER_RULE) windows.shift();
    }
    if (b.created < rate.perRule) {
      b.created++;
      return true;
    }
    return false;
  }

  function process(findings: readonly Finding[]): BatchResult {
    const created: Alert[] = [];
    const fresh = new Set<Alert>();
    const checked = new Set<Alert>();
    const keyOf = new Map<Alert, string>();
    const dirty = new Set<Alert>();
    const counters: Record<string, number> = {};
    const bump = (k: string, n = 1): void => {
      counters[k] = (counters[k] ?? 0) + n;
    };
    let merged = 0;
    let excepted = 0;
    let held = 0;
    const at = opts.now?.() ?? new Date();
    const exceptions = exceptionsNow();
    for (const f of findings) {
      s.findings++;
      bump('pipeline.findings');
      const ex = exceptions.length ? matchException(exceptions, f, at) : undefined;
      if (ex) {
        excepted++;
        s.excepted++;
        s.excepted_by[ex.id] = (s.excepted_by[ex.id] ?? 0) + 1;
        bump('pipeline.excepted');
        bump(`exception.${ex.id}`);
        continue;
      }
      const key = `${f.rule.id}\u0000${entityKey(entityOf(f.events), f.group)}`;
      const t = ms(f.time);
      let cur = open.get(key);
      // An alert the analyst closed does not swallow new activity: the next repeat opens a fresh one.
      if (cur && !fresh.has(cur) && !checked.has(cur) && opts.store) {
        checked.add(cur);
        const status = opts.store.statusOf(cur.id);
        if (status === 'resolved' || status === 'false_positive' || status === undefined) {
          open.delete(key);
          cur = undefined;
          s.reopened++;
          bump('pipeline.reopened');
        }
      }
      if (cur && t - ms(cur.first_seen) < windowMs) {
        cur.count++;
        if (f.time > cur.last_seen) {
          cur.last_seen = f.time;
          cur['@timestamp'] = f.time;
        }
        if (f.time < cur.first_seen) cur.first_seen = f.time;
        merged++;
        s.merged++;
        bump('pipeline.merged');
        if (!fresh.has(cur)) dirty.add(cur);
        continue;
      }
      if (!allowNew(f.rule.id, t)) {
        // Held findings land on the rule's newest alert, so the page shows the figure next to the flood.
        const host = newestOfRule.get(f.rule.id);
        if (host) {
          host.held_back = (host.held_back ?? 0) + 1;
          if (!fresh.has(host)) dirty.add(host);
        }
        held++;
        s.held_back++;
        s.held_back_by_rule[f.rule.id] = (s.held_back_by_rule[f.rule.id] ?? 0) + 1;
        bump('pipeline.held_back');
        bump(`held_back.${f.rule.id}`);
        continue;
      }
      const alert = buildAlert(f, { catalog: opts.catalog, now: opts.now, newId: opts.newId });
      if (cur) open.delete(key);
      open.set(key, alert);
      newestOfRule.set(f.rule.id, alert);
      created.push(alert);
      fresh.add(alert);
      keyOf.set(alert, key);
      s.created++;
      bump('pipeline.created');
      if (open.size > maxOpen) {
        const oldest = open.keys().next().value as string;
        open.delete(oldest);
        s.evicted++;
        bump('pipeline.evicted');
      }
    }
    s.open = open.size;
    if (opts.store) {
      try {
        const w = opts.store.writeAlerts({ insert: created, update: [...dirty], counters });
        if (w && w.failed) {
          s.store_errors += w.failed;
          s.last_store_error = w.problems.find((p) => p.includes(' not stored: '));
        }
        if (w && w.truncated) {
          s.truncated_events += w.truncated;
          s.last_truncated = w.problems.find((p) => p.includes(' truncated '));
        }
      } catch (e) {
        s.store_errors++;
        s.last_store_error = (e as Error).message;
      }
    }
    for (const a of created) {
      for (const o of outputs) {
        try {
          o.send(a);
        } catch {
          // Outputs count their own failures; one that throws anyway must not cost the others this alert.
        }
      }
    }
    // Open alerts only need their counters from here on; dropping their events keeps the
    // dedup table's memory proportional to its entry count, not to event sizes.
    for (const a of created) {
      const slim: Alert = { ...a, events: [] };
      const k = keyOf.get(a)!;
      if (open.get(k) === a) open.set(k, slim);
      if (newestOfRule.get(a.rule.id) === a) newestOfRule.set(a.rule.id, slim);
    }
    return { created, merged, excepted, held };
  }

  return {
    process,
    stats: () => ({ ...s, excepted_by: { ...s.excepted_by }, held_back_by_rule: { ...s.held_back_by_rule } }),
    async close() {
      await Promise.all(outputs.map((o) => o.close()));
    },
  };
}

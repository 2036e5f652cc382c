// Sensor tamper and health as alerts. An adversary who cannot evade a rule can blind the
// sensor instead: stop the Docker socket, delete the audit rules, flood a source until it
// drops, or just leave the detector behind. Each of those is reported here as a finding of
// its own (ADS-0002, T1562), and the source's state is kept for the page and /metrics, so
// silence is never shown as clean.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Finding, RuleMeta } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';
import type { SourceStats } from '../sources/types.js';
import type { StrategyLookup } from './build.js';
import { attackFromTags } from './attack.js';

export type SensorCondition = 'stopped' | 'silent' | 'lagging' | 'losing' | 'audit-rules-removed';

export const SENSOR_RULES: Record<SensorCondition, RuleMeta> = {
  stopped: rule('stopped', 'Sensor source stopped', 'high', ['attack.defense-evasion', 'attack.t1562.001']),
  silent: rule('silent', 'Sensor source silent', 'medium', ['attack.defense-evasion', 'attack.t1562.006']),
  lagging: rule('lagging', 'Sensor source falling behind', 'medium', ['attack.defense-evasion', 'attack.t1562.006']),
  losing: rule('losing', 'Sensor source losing events', 'high', ['attack.defense-evasion', 'attack.t1562.006']),
  'audit-rules-removed': rule('audit-rules-removed', 'Linux audit rules removed', 'high', ['attack.defense-evasion', 'attack.t1562.012']),
};

function rule(cond: string, title: string, level: RuleMeta['level'], tags: string[]): RuleMeta {
  return { id: `stowaway-sensor-${cond}`, title, kind: 'analytic', level, tags };
}

/** The strategy sensor findings belong to: monitoring evasion. */
export const SENSOR_STRATEGY = 'ADS-0002';

export interface SensorSourceState {
  name: string;
  started: boolean;
  stats: SourceStats;
  /** The source says it is no longer connected to what it reads (socket closed, file gone). */
  stopped?: boolean;
}

export interface SensorOptions {
  /** A started source that saw events and then none for this long is reported silent. Default 15 min. */
  silenceMs?: number;
  /** Lag (event time to processing) beyond which a source is falling behind. Default 120 s. */
  maxLagS?: number;
  host?: string;
}

export interface SensorGap {
  source: string;
  condition: SensorCondition;
  since: string;
  detail: string;
}

interface Track {
  events: number;
  dropped: number;
  changedAt: number;
  everSeen: boolean;
}

/**
 * The stateful core: fed snapshots of the sources (and the audit rule count) now and then,
 * it returns a finding when a condition starts and keeps the open gaps until they end.
 */
export class SensorWatch {
  private readonly tracks = new Map<string, Track>();
  private readonly open = new Map<string, SensorGap>();
  private auditRulesSeen?: number;
  private readonly silenceMs: number;
  private readonly maxLagS: number;
  /** Every gap that ever opened, by condition. */
  readonly counts: Record<SensorCondition, number> = { stopped: 0, silent: 0, lagging: 0, losing: 0, 'audit-rules-removed': 0 };

  constructor(private readonly o: SensorOptions = {}) {
    this.silenceMs = o.silenceMs ?? 15 * 60_000;
    this.maxLagS = o.maxLagS ?? 120;
  }

  check(nowMs: number, sources: readonly SensorSourceState[], auditRules?: number): Finding[] {
    const out: Finding[] = [];
    for (const s of sources) {
      if (!s.started) continue;
      let t = this.tracks.get(s.name);
      if (!t) this.tracks.set(s.name, (t = { events: s.stats.events, dropped: s.stats.dropped, changedAt: nowMs, everSeen: s.stats.events > 0 }));
      if (s.stats.events !== t.events) {
        t.events = s.stats.events;
        t.changedAt = nowMs;
        t.everSeen = true;
      }
      const lost = s.stats.dropped - t.dropped;
      t.dropped = s.stats.dropped;
      this.set(out, nowMs, s.name, 'stopped', !!s.stopped, `${s.name} is no longer reading its input`);
      this.set(
        out,
        nowMs,
        s.name,
        'silent',
        !s.stopped && t.everSeen && nowMs - t.changedAt >= this.silenceMs,
        `${s.name} delivered no event for ${Math.round((nowMs - t.changedAt) / 1000)} s after delivering some`,
      );
      this.set(out, nowMs, s.name, 'lagging', (s.stats.lag_s ?? 0) > this.maxLagS, `${s.name} is ${Math.round(s.stats.lag_s ?? 0)} s behind event time`);
      this.set(out, nowMs, s.name, 'losing', lost > 0, `${s.name} dropped ${lost} events since the last check (${s.stats.dropped} in all)`);
    }
    if (auditRules !== undefined) {
      if (this.auditRulesSeen === undefined || auditRules > this.auditRulesSeen) this.auditRulesSeen = Math.max(auditRules, this.auditRulesSeen ?? 0);
      const removed = this.auditRulesSeen > 0 && auditRules < this.auditRulesSeen;
      this.set(
        out,
        nowMs,
        'auditd',
        'audit-rules-removed',
        removed,
        `${this.auditRulesSeen - auditRules} of ${this.auditRulesSeen} stowaway audit rules are no longer loaded`,
      );
    }
    return out;
  }

  /** The gaps open now: what the page and /metrics show. */
  gaps(): SensorGap[] {
    return [...this.open.values()];
  }

  private set(out: Finding[], nowMs: number, source: string, condition: SensorCondition, on: boolean, detail: string): void {
    const key = `${source}\u0000${condition}`;
    const was = this.open.get(key);
    if (!on) {
      if (was) this.open.delete(key);
      return;
    }
    if (was) return;
    const since = new Date(nowMs).toISOString();
    this.open.set(key, { source, condition, since, detail });
    this.counts[condition]++;
    out.push(sensorFinding(SENSOR_RULES[condition], since, source, detail, this.o.host));
  }
}

function sensorFinding(r: RuleMeta, time: string, source: string, detail: string, host: string | undefined): Finding {
  const ev: StowawayEvent = {
    '@timestamp': time,
    event: {
      kind: 'alert',
      category: ['host'],
      type: ['info'],
      action: r.id.replace('stowaway-sensor-', 'sensor-'),
      module: 'stowaway',
      dataset: 'stowaway.sensor',
    },
    stowaway: { source: 'stowaway', logsource: { product: 'stowaway', category: 'sensor_health' } },
    message: detail,
    labels: { sensor_source: source },
  };
  if (host) ev.host = { name: host };
  return { rule: r, time, events: [ev], group: { source } };
}

/** The catalog with the sensor rules placed under the monitoring-evasion strategy. */
export function withSensorRules(catalog: (StrategyLookup & { strategies?: () => Array<{ id?: string; rules: string[] }> }) | undefined): StrategyLookup {
  const strategyRef = () => {
    const s = catalog?.strategies?.().find((x) => x.id === SENSOR_STRATEGY);
    for (const id of s?.rules ?? []) {
      const hit = catalog?.forRule(id);
      if (hit) return hit.strategy;
    }
    return undefined;
  };
  return {
    forRule(id) {
      const r = Object.values(SENSOR_RULES).find((x) => x.id === id);
      if (!r) return catalog?.forRule(id);
      const strategy = strategyRef();
      return strategy ? { strategy, attack: attackFromTags(r.tags ?? []) } : undefined;
    },
  };
}

/** How many stowaway audit rules the kernel holds now; undefined when auditctl cannot tell. */
/**
 * Whether the audit daemon runs, by the pid the kernel names in `auditctl -s` and /proc: a killed
 * auditd leaves the kernel's rules in place while nothing writes the log. Undefined when unknown.
 */
export function auditDaemonRunning(auditctl = 'auditctl'): boolean | undefined {
  const r = spawnSync(auditctl, ['-s'], { encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0 || typeof r.stdout !== 'string') return undefined;
  const m = /^pid (\d+)$/m.exec(r.stdout);
  if (!m) return undefined;
  const pid = Number(m[1]);
  if (pid === 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // a zombie is as dead as a missing process
    return !/^\d+ \([^)]*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/**
 * One check of the running sources: stopped when the source says so, and the audit source also
 * when the audit daemon is gone. `audit` reads the audit daemon and rules only when audit runs.
 */
export function checkSources(
  watch: SensorWatch,
  nowMs: number,
  sources: ReadonlyArray<{ name: string; started: boolean; stats: SourceStats }>,
  audit: { daemonRunning: () => boolean | undefined; rules: () => number | undefined } = { daemonRunning: auditDaemonRunning, rules: loadedAuditRules },
): Finding[] {
  const auditOn = sources.some((s) => s.name === 'auditd' && s.started);
  const daemonGone = auditOn && audit.daemonRunning() === false;
  const states = sources.map((s) => ({ ...s, stopped: s.stats.stopped === true || (s.name === 'auditd' && daemonGone) }));
  return watch.check(nowMs, states, auditOn ? audit.rules() : undefined);
}

export function loadedAuditRules(auditctl = 'auditctl'): number | undefined {
  const r = spawnSync(auditctl, ['-l'], { encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0 || typeof r.stdout !== 'string') return undefined;
  return r.stdout.split('\n').filter((l) => /(?:-k |key=)stowaway-/.test(l)).length;
}

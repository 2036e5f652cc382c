// The result of a live validation run, and its table for people.
import type { Diagnostic } from '../../model/diagnostic.js';
import { formatDiagnostic } from '../../model/diagnostic.js';
import type { StepResult } from './exec.js';
import { formatBreakdown, type LatencyBreakdown } from './trace.js';

export type Verdict = 'pass' | 'fail' | 'error';

export interface RuleCheck {
  rule: string;
  met: boolean;
  /** Wall-clock ms from the start of the step that caused it (latest step begun before arrival) to the detection arriving. */
  latency_ms?: number;
  container_id?: string;
  image?: string;
  process?: string;
  /** Why the expectation was not met (or which detection came closest). */
  reason?: string;
  /** Where the latency went, each stamp in ms after the step's start. */
  breakdown?: LatencyBreakdown;
}

export interface ReceivedSummary {
  rule: string;
  title: string;
  latency_ms: number;
  container_id?: string;
  image?: string;
  process?: string;
}

/** One containment action auto mode took on a scenario's finding; times in ms after the start of the step that caused it. */
export interface ContainmentSummary {
  rule: string;
  action: string;
  result: string;
  target: string;
  actor: string;
  detail: string;
  /** The finding arrived (action→alert). */
  alert_ms: number;
  /** The response began, and finished: for isolate, the engine had confirmed no network left. */
  started_ms: number;
  finished_ms: number;
  duration_ms: number;
  /** Wall-clock end of the action (ISO). */
  finished: string;
  /** Answered by an action already taken for an earlier alert on the same target (not timed again). */
  coalesced?: boolean;
}

export interface LiveRow {
  strategy: string;
  scenario: string;
  kind: 'positive' | 'benign';
  description: string;
  /** Positive: rule ids that must alert. Benign: rule ids that must stay quiet ('*' for all). */
  expected: string[];
  /** Every detection attributed to this scenario. */
  received: ReceivedSummary[];
  checks: RuleCheck[];
  verdict: Verdict;
  /** Positive: time until every expected rule had alerted. */
  latency_ms?: number;
  reason?: string;
  steps: StepResult[];
  /** Containers Docker reported for this scenario (id, name, image). */
  containers: { id: string; name: string; image: string }[];
  /** Evidence the far ends saw the action (uploads received, shell connected). */
  evidence: string[];
  /** With a response policy in auto mode: what containment did for this scenario's findings. */
  containment?: ContainmentSummary[];
  /** A step that did not complete because containment cut it short (it is not counted as an error). */
  contained_step?: string;
  duration_ms: number;
}

export interface LiveReport {
  /** Part of every name the run gave (containers, volumes, work dirs, audit key). */
  run_id: string;
  started: string;
  finished: string;
  rows: LiveRow[];
  /** One line per live source: started, or not and why. */
  sources: string[];
  audit_rules: { installed: number; removed: boolean; detail?: string };
  /** The bridge network the run created for scenarios that talk to its fixtures (absent when none needed it). */
  network?: { name: string; subnet?: string; gateway?: string; removed: boolean; error?: string };
  rules_loaded: number;
  diagnostics: Diagnostic[];
  latency: { count: number; p50_ms?: number; p99_ms?: number; max_ms?: number };
  /** The detector's own share: newest contributing event → alert, over the traced detections. */
  detection_latency?: { count: number; p50_ms?: number; p99_ms?: number; max_ms?: number };
  /** Per live source: ms from an event's own time to the source reading it, over the run. */
  /** How late the pipeline's event loop ran over the run: a source read late because of it is not the producer's delay. */
  event_loop_delay?: { p99_ms: number; max_ms: number };
  source_lag?: Record<
    string,
    { count: number; p50_ms: number; p99_ms: number; max_ms: number; slowest: Array<{ action: string; lag_ms: number; read: string }> }
  >;
  totals: { pass: number; fail: number; error: number };
  /** True when every row passed and the run itself could start. */
  ok: boolean;
  /** Set when the run could not start at all (no Docker, no audit, not root). */
  fatal?: string;
}

/** How many of the slowest detections the table takes apart. */
const SLOWEST = 5;

function pad(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s + ' '.repeat(n - s.length);
}

function ms(v: number | undefined): string {
  return v === undefined ? '-' : `${Math.round(v)}ms`;
}

/** Human table: one line per scenario, then failures explained, then latency figures. */
export function formatLiveReport(report: LiveReport): string {
  const lines: string[] = [];
  if (report.fatal) lines.push(`live validation could not run: ${report.fatal}`);
  for (const s of report.sources) lines.push(`source: ${s}`);
  const ar = report.audit_rules;
  const arState = ar.installed === 0 ? 'none installed by this run' : `${ar.installed} installed, ${ar.removed ? 'removed after the run' : 'NOT removed'}`;
  lines.push(`audit rules: ${arState}${ar.detail ? ` (${ar.detail})` : ''}`);
  const net = report.network;
  if (net)
    lines.push(
      net.gateway === undefined
        ? `run network: ${net.name} could not be created: ${net.error ?? 'unknown reason'}`
        : `run network: ${net.name} ${net.subnet ?? ''}, fixtures on ${net.gateway}, ${net.removed ? 'removed after the run' : `NOT removed${net.error ? ` (${net.error})` : ''}`}`,
    );
  lines.push(`rules loaded: ${report.rules_loaded}`);
  if (report.rows.length > 0) {
    lines.push('');
    // Rule ids are UUIDs; their first 8 characters are unique enough to read a table by.
    const short = (id: string): string => (/^[0-9a-f]{8}-/.test(id) ? id.slice(0, 8) : id);
    lines.push(`${pad('STRATEGY', 10)} ${pad('SCENARIO', 28)} ${pad('KIND', 8)} ${pad('VERDICT', 7)} ${pad('LATENCY', 8)} EXPECTED → RECEIVED`);
    for (const r of report.rows) {
      const got = [...new Set(r.received.map((x) => short(x.rule)))];
      const quiet = r.expected.length > 6 ? `all ${r.expected.length} rules` : r.expected.map(short).join(',') || 'strategy rules';
      const exp = r.kind === 'benign' ? `quiet(${quiet})` : r.expected.map(short).join(r.expected.length > 1 ? '|' : ',');
      lines.push(
        `${pad(r.strategy, 10)} ${pad(r.scenario, 28)} ${pad(r.kind, 8)} ${pad(r.verdict.toUpperCase(), 7)} ${pad(ms(r.latency_ms), 8)} ${exp} → ${got.join(',') || '(none)'}`,
      );
    }
  }
  const bad = report.rows.filter((r) => r.verdict !== 'pass');
  if (bad.length > 0) {
    lines.push('');
    for (const r of bad) {
      lines.push(`${r.verdict.toUpperCase()} ${r.strategy}/${r.scenario}: ${r.reason ?? ''}`);
      for (const c of r.checks.filter((c) => !c.met)) lines.push(`  - ${c.rule}: ${c.reason ?? 'no detection'}`);
      for (const s of r.steps.filter((s) => !s.ok))
        lines.push(
          `  - step failed (exit ${s.code ?? s.signal}${s.timed_out ? ', timed out' : ''}): ${s.command.split('\n')[0]}\n    ${s.output.split('\n').slice(-3).join('\n    ')}`,
        );
    }
  }
  const slow = report.rows
    .flatMap((r) => r.checks.filter((c) => c.met && c.latency_ms !== undefined).map((c) => ({ r, c })))
    .sort((a, b) => b.c.latency_ms! - a.c.latency_ms!)
    .slice(0, SLOWEST);
  if (slow.length > 0) {
    lines.push('');
    lines.push(`slowest detections (ms after the step's start):`);
    for (const { r, c } of slow) {
      lines.push(`  ${r.strategy}/${r.scenario} ${c.rule.slice(0, 8)} ${ms(c.latency_ms)}`);
      for (const l of c.breakdown ? formatBreakdown(c.breakdown) : ['(no stamps)']) lines.push(`    ${l}`);
    }
  }
  for (const r of report.rows.filter((r) => r.contained_step)) {
    lines.push(`CONTAINED ${r.strategy}/${r.scenario}: ${r.contained_step}`);
    for (const e of r.evidence) lines.push(`  - ${e}`);
  }
  const contained = report.rows.flatMap((r) => (r.containment ?? []).map((c) => ({ r, c })));
  if (report.rows.some((r) => r.containment)) {
    lines.push('');
    lines.push(`containment (auto; ms after the step's start: alert → action started → action finished):`);
    if (contained.length === 0) lines.push('  (no finding of these scenarios was answered automatically)');
    for (const { r, c } of contained)
      lines.push(
        `  ${r.strategy}/${r.scenario} ${c.rule.slice(0, 8)} ${c.action} ${c.result}: alert ${ms(c.alert_ms)} → ${ms(c.started_ms)} → ${ms(c.finished_ms)} (${ms(c.duration_ms)}) — ${c.detail}`,
      );
    const iso = contained.filter(({ c }) => c.action === 'isolate' && c.result === 'done' && !c.coalesced).map(({ c }) => c.finished_ms);
    if (iso.length) lines.push(`  action→isolation over ${iso.length} isolations: min ${ms(Math.min(...iso))}, max ${ms(Math.max(...iso))}`);
  }
  if (report.source_lag) {
    const l = Object.entries(report.source_lag).map(
      ([k, v]) =>
        `${k} p50 ${ms(v.p50_ms)} p99 ${ms(v.p99_ms)} max ${ms(v.max_ms)} over ${v.count} (slowest: ${v.slowest.map((s) => `${s.action} ${ms(s.lag_ms)}`).join(', ')})`,
    );
    lines.push(`source lag (event time → read): ${l.join('; ')}`);
    if (report.event_loop_delay) lines.push(`event loop delay: p99 ${ms(report.event_loop_delay.p99_ms)}, max ${ms(report.event_loop_delay.max_ms)}`);
  }
  if (report.diagnostics.length > 0) {
    lines.push('');
    for (const d of report.diagnostics) lines.push(formatDiagnostic(d));
  }
  lines.push('');
  lines.push(
    `${report.totals.pass} passed, ${report.totals.fail} failed, ${report.totals.error} errors; latency action→alert over ${report.latency.count} detections: p50 ${ms(report.latency.p50_ms)}, p99 ${ms(report.latency.p99_ms)}, max ${ms(report.latency.max_ms)}`,
  );
  const d = report.detection_latency;
  if (d && d.count > 0)
    lines.push(`detection latency, newest event → alert over ${d.count} traced detections: p50 ${ms(d.p50_ms)}, p99 ${ms(d.p99_ms)}, max ${ms(d.max_ms)}`);
  return lines.join('\n');
}

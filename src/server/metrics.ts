// /metrics in the Prometheus text exposition format (version 0.0.4): the health snapshot
// of a running pipeline, the store's counters and the open sensor gaps. A source that is
// down or silent shows as a gauge of 0 and an open gap, never as the absence of a series.
import type { HealthSnapshot } from './health.js';
import type { SensorGap } from '../alerts/sensor.js';

export interface MetricsInput {
  health?: HealthSnapshot;
  gaps?: readonly SensorGap[];
  store?: { bytes: number; revision: number; counters: Record<string, number> };
}

type Sample = { labels?: Record<string, string>; value: number };

class Exposition {
  private readonly lines: string[] = [];
  metric(name: string, type: 'counter' | 'gauge', help: string, samples: Sample[]): void {
    if (samples.length === 0) return;
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
    for (const s of samples) this.lines.push(`${name}${labelText(s.labels)} ${num(s.value)}`);
  }
  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

function labelText(labels: Record<string, string> | undefined): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k.replace(/[^a-zA-Z0-9_]/g, '_')}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function prometheusText(m: MetricsInput): string {
  const x = new Exposition();
  const h = m.health;
  const sources = h?.sources ?? [];
  x.metric(
    'stowaway_source_up',
    'gauge',
    '1 when the source started and has no open gap (stopped, silent, lagging, losing), else 0',
    sources.map((s) => ({ labels: { source: s.name }, value: s.started === false || (m.gaps ?? []).some((g) => g.source === s.name) ? 0 : 1 })),
  );
  x.metric(
    'stowaway_source_events_total',
    'counter',
    'Events a source delivered',
    sources.map((s) => ({ labels: { source: s.name }, value: n(s.events) })),
  );
  x.metric(
    'stowaway_source_errors_total',
    'counter',
    'Records a source refused (each also a diagnostic)',
    sources.map((s) => ({ labels: { source: s.name }, value: n(s.errors) })),
  );
  x.metric(
    'stowaway_source_dropped_total',
    'counter',
    'Events a source dropped (limits, overload)',
    sources.map((s) => ({ labels: { source: s.name }, value: n(s.dropped) })),
  );
  x.metric(
    'stowaway_source_clamped_total',
    'counter',
    'Pushed events dated outside the receiver clock skew, stamped with its time',
    sources.filter((s) => 'clamped' in s).map((s) => ({ labels: { source: s.name }, value: n((s as { clamped?: number }).clamped) })),
  );
  x.metric(
    'stowaway_source_lag_seconds',
    'gauge',
    'Event time to processing time of the newest event',
    sources.filter((s) => s.lag_s !== undefined).map((s) => ({ labels: { source: s.name }, value: n(s.lag_s) })),
  );
  const gaps = m.gaps ?? [];
  x.metric(
    'stowaway_sensor_gap',
    'gauge',
    'Open sensor gaps (1 each): the source is not watching as it should',
    gaps.map((g) => ({ labels: { source: g.source, condition: g.condition }, value: 1 })),
  );
  x.metric(
    'stowaway_sensor_gap_since_seconds',
    'gauge',
    'Unix time an open sensor gap began',
    gaps.map((g) => ({ labels: { source: g.source, condition: g.condition }, value: Date.parse(g.since) / 1000 })),
  );
  if (h) {
    const p = h.pipeline;
    x.metric('stowaway_findings_total', 'counter', 'Findings the alert pipeline received', [{ value: n(p.findings) }]);
    x.metric('stowaway_alerts_created_total', 'counter', 'Alerts created', [{ value: n(p.created) }]);
    x.metric('stowaway_alerts_merged_total', 'counter', 'Findings merged into an open alert', [{ value: n(p.merged) }]);
    x.metric('stowaway_alerts_held_back_total', 'counter', 'Findings held back by the per-rule rate limit', [{ value: n(p.held_back) }]);
    x.metric('stowaway_alerts_excepted_total', 'counter', 'Findings an exception suppressed', [{ value: n(p.excepted) }]);
    x.metric('stowaway_store_errors_total', 'counter', 'Alerts that could not be stored', [{ value: n(p.store_errors) }]);
    x.metric('stowaway_store_truncated_events_total', 'counter', 'Events stored truncated', [{ value: n(p.truncated_events) }]);
    const e = h.engine ?? {};
    x.metric('stowaway_engine_events_total', 'counter', 'Events the engine processed', [{ value: n(e.events) }]);
    x.metric('stowaway_engine_late_total', 'counter', 'Correlation inputs behind the watermark', [{ value: n(e.late) }]);
    x.metric('stowaway_engine_time_outliers_total', 'counter', 'Events dated too far ahead to move event time alone', [{ value: n(e.time_outliers) }]);
    x.metric(
      'stowaway_diagnostics_total',
      'counter',
      'Input diagnostics by code',
      Object.entries(h.diagnostics ?? {}).map(([code, v]) => ({ labels: { code }, value: n(v) })),
    );
    x.metric(
      'stowaway_output_sent_total',
      'counter',
      'Alerts an output delivered',
      h.outputs.map((o) => ({ labels: { output: o.name }, value: n(o.sent) })),
    );
    x.metric(
      'stowaway_output_failed_total',
      'counter',
      'Alerts an output gave up on',
      h.outputs.map((o) => ({ labels: { output: o.name }, value: n(o.failed) })),
    );
  }
  if (m.store) {
    x.metric('stowaway_store_bytes', 'gauge', 'Size of the alert store on disk', [{ value: n(m.store.bytes) }]);
    x.metric('stowaway_store_revision', 'counter', 'Writes to the alert store', [{ value: n(m.store.revision) }]);
  }
  return x.text();
}

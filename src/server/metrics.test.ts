// /metrics read back by an independent parser of the Prometheus text format
// (parse-prometheus-text-format), as a scraper would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startServer } from './http.js';
import { openStore } from '../sinks/store/index.js';
import type { HealthSnapshot } from './health.js';

const require = createRequire(import.meta.url);
type Family = { name: string; type: string; help: string; metrics: Array<{ value: string; labels?: Record<string, string> }> };
const parse = require('parse-prometheus-text-format') as (text: string) => Family[];

test('/metrics: sources, open sensor gaps and pipeline counters in the Prometheus text format', async () => {
  const store = openStore(':memory:');
  const health: HealthSnapshot = {
    time: new Date().toISOString(),
    mode: 'live',
    sources: [
      { name: 'docker', started: true, events: 120, errors: 1, dropped: 0, unattributed: 0, lag_s: 0.4 },
      { name: 'auditd', started: true, events: 5000, errors: 0, dropped: 17, unattributed: 3 },
      { name: 'k8s-audit', started: false, reason: 'no webhook port "configured"\nsecond line', events: 0, errors: 0, dropped: 0, unattributed: 0 },
    ],
    pipeline: {
      findings: 9,
      created: 4,
      merged: 3,
      excepted: 1,
      held_back: 1,
      evicted: 0,
      reopened: 0,
      open: 4,
      store_errors: 0,
      truncated_events: 0,
      excepted_by: {},
      held_back_by_rule: {},
    },
    engine: { events: 5120, late: 2, time_outliers: 1 },
    outputs: [],
    diagnostics: { 'bad-json': 1, 'clock-skew': 2 },
    gaps: [{ source: 'auditd', condition: 'losing', since: '2026-05-01T00:00:10.000Z', detail: 'auditd dropped 17 events' }],
  };
  const srv = await startServer({ store, port: 0, health: () => health });
  try {
    const res = await fetch(new URL('/metrics', srv.url));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const families = parse(await res.text());
    const fam = (name: string) => families.find((f) => f.name === name)!;
    const value = (name: string, labels: Record<string, string> = {}) =>
      Number(fam(name).metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value);
    assert.equal(fam('stowaway_source_up').type, 'GAUGE');
    assert.equal(value('stowaway_source_up', { source: 'docker' }), 1);
    assert.equal(value('stowaway_source_up', { source: 'auditd' }), 0, 'an open gap is a source down');
    assert.equal(value('stowaway_source_up', { source: 'k8s-audit' }), 0);
    assert.equal(fam('stowaway_source_events_total').type, 'COUNTER');
    assert.equal(value('stowaway_source_events_total', { source: 'auditd' }), 5000);
    assert.equal(value('stowaway_source_dropped_total', { source: 'auditd' }), 17);
    assert.equal(value('stowaway_sensor_gap', { source: 'auditd', condition: 'losing' }), 1);
    assert.equal(value('stowaway_sensor_gap_since_seconds', { source: 'auditd' }), Date.parse('2026-05-01T00:00:10Z') / 1000);
    assert.equal(value('stowaway_alerts_created_total'), 4);
    assert.equal(value('stowaway_engine_time_outliers_total'), 1);
    assert.equal(value('stowaway_diagnostics_total', { code: 'clock-skew' }), 2);
    for (const f of families) assert.ok(f.help.length > 0, `${f.name} has help`);
  } finally {
    await srv.close();
    store.close();
  }
});
